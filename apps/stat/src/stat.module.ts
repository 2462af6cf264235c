import { Module, type DynamicModule } from '@nestjs/common';

@Module({})
export class StatModule {
  static register(): DynamicModule {
    return { module: StatModule };
  }
}
