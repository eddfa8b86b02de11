/**
 * The columns a hand-written read returns, declared once beside its row type. A TypeScript row
 * type proves nothing at run time; the list does: tests/integration/sql-columns.test.ts runs every
 * statement and compares PostgreSQL's columns with it. `columnsOf<Row>()([...])` only compiles
 * when the list names exactly the row type's keys, so the type and the list cannot drift apart.
 * No database handle here: statement modules (and the bench's ceilings) import it.
 */
type Missing<Row, Given extends readonly string[]> = Exclude<keyof Row & string, Given[number]>;

export function columnsOf<Row>() {
  return <const Given extends readonly (keyof Row & string)[]>(
    names: Given & ([Missing<Row, Given>] extends [never] ? unknown : { missingColumns: Missing<Row, Given> }),
  ): Given => names;
}
