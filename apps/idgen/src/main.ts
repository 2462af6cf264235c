import { runService } from '@spear/runtime';
import { IDGEN_SERVICE } from './idgen.service';

void runService(IDGEN_SERVICE);
