import { Migration } from '@mikro-orm/migrations';

export class Migration20261128233223_instanceSignInCodes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "one_time_tokens" add column "binding" varchar(64) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "one_time_tokens" drop column "binding";`);
  }

}
