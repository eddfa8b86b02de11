import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./db-errors";

describe("isDatabaseUnavailable", () => {
  it("recognises Prisma's unreachable-database errors", () => {
    expect(isDatabaseUnavailable({ code: "P1001" })).toBe(true);
    expect(
      isDatabaseUnavailable({
        code: "P2010",
        meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } },
      }),
    ).toBe(true);
    expect(isDatabaseUnavailable(new Error("terminating connection due to administrator command"))).toBe(true);
  });
  it("treats a pool with no free connection in time as briefly unavailable (503), not as our bug", () => {
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
  });
  it("recognises pg's own errors from the hand-written reads: a broken pooled client, a restart, a dropped socket", () => {
    expect(isDatabaseUnavailable(new Error("Client has encountered a connection error and is not queryable"))).toBe(
      true,
    );
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("the database system is not yet accepting connections"), { code: "57P03" }),
      ),
    ).toBe(true);
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("terminating connection due to crash of another server process"), { code: "57P02" }),
      ),
    ).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("connection failure"), { code: "08006" }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }))).toBe(true);
  });
  it("does not mistake a bad query for an outage", () => {
    expect(
      isDatabaseUnavailable(
        Object.assign(new Error("duplicate key value violates unique constraint"), { code: "23505" }),
      ),
    ).toBe(false);
    expect(
      isDatabaseUnavailable(Object.assign(new Error("invalid input syntax for type uuid"), { code: "22P02" })),
    ).toBe(false);
    expect(isDatabaseUnavailable({ code: "P2002" })).toBe(false);
    expect(isDatabaseUnavailable(new Error("column does not exist"))).toBe(false);
  });
});
