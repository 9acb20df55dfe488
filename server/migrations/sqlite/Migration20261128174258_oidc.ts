import { Migration } from '@mikro-orm/migrations';

export class Migration20261128174258_oidc extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`oidc_records\` (\`model\` text not null, \`id\` text not null, \`payload\` json not null, \`expires_at\` datetime null, \`grant_id\` text null, \`user_code\` text null, \`uid\` text null, primary key (\`model\`, \`id\`));`);
    this.addSql(`create index \`oidc_records_expires_at_index\` on \`oidc_records\` (\`expires_at\`);`);
    this.addSql(`create index \`oidc_records_grant_id_index\` on \`oidc_records\` (\`grant_id\`);`);
    this.addSql(`create index \`oidc_records_user_code_index\` on \`oidc_records\` (\`user_code\`);`);
    this.addSql(`create index \`oidc_records_uid_index\` on \`oidc_records\` (\`uid\`);`);
  }

}
