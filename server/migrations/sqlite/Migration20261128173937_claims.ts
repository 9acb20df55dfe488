import { Migration } from '@mikro-orm/migrations';

export class Migration20261128173937_claims extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`devices\` add column \`claimed_at\` datetime null;`);
    this.addSql(`alter table \`devices\` add column \`claim_failures\` integer not null default 0;`);
    this.addSql(`alter table \`devices\` add column \`claim_locked_until\` datetime null;`);
    this.addSql(`alter table \`devices\` add column \`config_version\` integer not null default 0;`);
  }

}
