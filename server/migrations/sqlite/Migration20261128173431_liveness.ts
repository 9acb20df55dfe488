import { Migration } from '@mikro-orm/migrations';

export class Migration20261128173431_liveness extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table \`tenants\` add column \`last_activity_at\` datetime null;`);
    this.addSql(`alter table \`tenants\` add column \`idle_stopped_at\` datetime null;`);

    this.addSql(`alter table \`workers\` add column \`stats\` json null;`);
    this.addSql(`alter table \`workers\` add column \`last_error\` text null;`);
  }

}
