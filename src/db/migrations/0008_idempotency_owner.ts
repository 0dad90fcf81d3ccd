import { type Kysely, sql } from 'kysely';

// An idempotency record is owned by the request that holds it (`owner`, random per attempt): finishing, releasing and
// taking it over are conditional on the owner, and the finished record is written by the change it answers, in the
// same statement or transaction. `comerix_receipt_guard` aborts such a statement with SQLSTATE CX412 when the request
// no longer owns its record (another request took it over), so exactly one of them commits its change.
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

const statements = [
  'alter table idempotency_keys add column owner text',
  `create function comerix_receipt_guard(ok boolean) returns boolean language plpgsql volatile as $$
    begin
      if ok is not true then
        raise exception 'the idempotency record of this request was taken over' using errcode = 'CX412';
      end if;
      return true;
    end
    $$`,
];
