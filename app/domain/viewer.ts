/** The signed-in person, as every page sees them (loaded once per request by app/.server/auth.ts). */
export type Viewer = {
  id: string;
  fullName: string;
  /** Null for a profile without an address of its own (see prisma/schema.prisma). */
  email: string | null;
  roles: string[];
  timeZone: string;
};
