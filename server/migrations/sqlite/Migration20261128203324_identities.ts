import { Migration } from '@mikro-orm/migrations';

export class Migration20261128203324_identities extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`identities\` (\`id\` text not null, \`provider\` text not null, \`subject\` text not null, \`user_id\` text not null, \`email\` text null, \`linked_at\` datetime not null, constraint \`identities_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`identities_user_id_index\` on \`identities\` (\`user_id\`);`);
    this.addSql(`create unique index \`identities_provider_subject_unique\` on \`identities\` (\`provider\`, \`subject\`);`);
  }

}
