import { describe, expect, it } from "vitest";
import { familyRoleOf } from "./family";

const base = { viewerId: "v", learnerId: "l", viewerIsActiveGuardian: false, learnerHasActiveGuardian: false };

describe("familyRoleOf", () => {
  it("an active guardian decides for the learner", () => {
    expect(familyRoleOf({ ...base, viewerIsActiveGuardian: true, learnerHasActiveGuardian: true })).toBe("guardian");
  });

  it("a learner with no active guardian decides for themself", () => {
    expect(familyRoleOf({ ...base, viewerId: "l" })).toBe("self");
  });

  it("a child (a learner with an active guardian) does not: the guardian decides", () => {
    expect(familyRoleOf({ ...base, viewerId: "l", learnerHasActiveGuardian: true })).toBeNull();
  });

  it("anyone else (a tutor, a pending guardian, a stranger) does not", () => {
    expect(familyRoleOf(base)).toBeNull();
    expect(familyRoleOf({ ...base, learnerHasActiveGuardian: true })).toBeNull();
  });
});
