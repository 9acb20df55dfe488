import { Migration } from '@mikro-orm/migrations';

export class Migration20261128233222_instanceSignInCodes extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`one_time_tokens\` add column \`binding\` text null;`);
  }

}
