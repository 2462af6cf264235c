import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class IdgenModule {
  static register(): DynamicModule {
    return { module: IdgenModule };
  }
}
