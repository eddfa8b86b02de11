// Accessibility: axe on every page as each kind of person (tutor, parent, student,
// adult learner), with JavaScript on and off, and no serious or critical violation anywhere; every
// page usable 320 px wide (no sideways scrolling, its main control on screen). One walk per person
// checks both, at 320 px. The keyboard-only flows are in quality-keyboard.spec.ts.
import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { signInAs } from "./fixtures.ts";
import { cancelLesson, pagesFor, personOf, ROLES, type PageVisit } from "./quality-pages.ts";

type Checker = (page: Page) => Promise<string[]>;

/**
 * `seriousViolations(page)`: the serious and critical axe violations on that page, one readable
 * line each. axe runs as a script inside the page, which a browser with JavaScript off will not
 * run; there, the very HTML that browser received (its scripts removed, the same stylesheet) is
 * loaded at the same address in a tab of its own that runs axe.
 */
const test = base.extend<{ seriousViolations: Checker }>({
  seriousViolations: async ({ browser, javaScriptEnabled, viewport }, use) => {
    let checker: BrowserContext | undefined;
    await use(async (page) => {
      let target = page;
      if (!javaScriptEnabled) {
        const html = (await page.content()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "");
        checker ??= await browser.newContext({ javaScriptEnabled: true, viewport });
        target = checker.pages()[0] ?? (await checker.newPage());
        await target.unrouteAll();
        await target.route("**/*", (route) =>
          route.request().isNavigationRequest()
            ? route.fulfill({ contentType: "text/html; charset=utf-8", body: html })
            : route.continue(),
        );
        await target.goto(page.url());
      }
      // The only frame is the classroom, Lessonspace's page rather than ours: left out, which lets
      // axe run in one pass in the page (legacy mode: no extra tab per run, about three times
      // faster), reporting violations only (a third faster again).
      const results = await new AxeBuilder({ page: target })
        .setLegacyMode()
        .options({ resultTypes: ["violations"] })
        .exclude("iframe.classroom-frame")
        .analyze();
      return results.violations
        .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
        .map(
          (violation) =>
            `${violation.impact} ${violation.id}: ${violation.help} — ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
        );
    });
    if (checker) {
      for (const page of checker.pages()) await page.unrouteAll({ behavior: "ignoreErrors" });
      await checker.close();
    }
  },
});

// Phones first: every page is checked 320 px wide, the narrowest screen we promise to serve.
const WIDTH = 320;
test.use({ viewport: { width: WIDTH, height: 640 } });

async function visit(page: Page, visit: PageVisit) {
  const response = await page.goto(visit.path);
  expect(response?.status(), `${visit.name} (${visit.path})`).toBe(visit.status);
}

/** What is wrong with this page at 320 px: sideways scrolling, or its main control off screen. */
async function narrowScreenProblems(page: Page, name: string, control?: PageVisit["control"]): Promise<string[]> {
  const problems: string[] = [];
  const width = await page.evaluate(() => ({
    scroll: document.scrollingElement!.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  if (width.scroll > WIDTH || width.scroll > width.client)
    problems.push(`${name} scrolls sideways (${width.scroll}px wide)`);
  if (control) {
    const target = page.getByRole(control.role, { name: control.name }).first();
    await target.scrollIntoViewIfNeeded();
    const box = await target.boundingBox();
    if (!box || box.x < 0 || box.x + box.width > WIDTH)
      problems.push(`${name}: "${control.name}" is off screen (${JSON.stringify(box)})`);
  }
  return problems;
}

test("the check itself finds a planted violation (a field without its label)", async ({ page, seriousViolations }) => {
  await page.goto("/sign-in");
  // Point the label elsewhere rather than remove it: with JavaScript on, hydration may still be
  // under way, and a missing node makes React re-render the page (label back, check green), while
  // an attribute is left as the server sent it.
  await page.locator('label[for]:has-text("Email")').evaluate((label) => label.setAttribute("for", "nowhere"));
  expect((await seriousViolations(page)).join("\n")).toMatch(/^critical label: Form elements must have labels/m);
});

test("the 320 px check itself finds a planted overflow", async ({ page }) => {
  await page.goto("/sign-in");
  await page.locator("h1").evaluate((heading) => (heading.style.width = "400px"));
  expect(await narrowScreenProblems(page, "sign-in")).toEqual([
    expect.stringMatching(/^sign-in scrolls sideways \(4\d\dpx wide\)$/),
  ]);
});

test("signed out, the sign-in page (with its error and notices) and the 404 page pass axe and fit 320 px", async ({
  page,
  seriousViolations,
}) => {
  const found: string[] = [];
  const check = async (name: string, control?: PageVisit["control"]) => {
    for (const line of await seriousViolations(page)) found.push(`${name}: ${line}`);
    found.push(...(await narrowScreenProblems(page, name, control)));
  };
  const signInButton = { role: "button", name: "Sign in" } as const;
  await page.goto("/sign-in");
  await check("sign-in", signInButton);
  await page.getByLabel("Email").fill("nobody@example.com");
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");
  await check("sign-in, wrong password", signInButton);
  await page.goto("/sign-in?notice=auth-unavailable");
  await expect(page.getByRole("status")).toContainText("sign-in service is unreachable");
  await check("sign-in, Auth unreachable", signInButton);
  await page.goto("/sign-in?notice=signed-out");
  await expect(page.getByRole("status")).toContainText("You have signed out");
  await check("sign-in, signed out", signInButton);
  await page.goto("/no-such-page");
  await check("404", { role: "link", name: "Back to your lessons" });
  expect(found).toEqual([]);
});

for (const role of ROLES) {
  test(`every page the ${role} opens passes axe (no serious or critical violation) and fits 320 px with its main control on screen`, async ({
    page,
    seriousViolations,
  }) => {
    test.setTimeout(120_000);
    const { pages, lessons } = await pagesFor(role);
    await signInAs(page, personOf[role].email);
    const found: string[] = [];
    for (const entry of pages) {
      await visit(page, entry);
      for (const line of await seriousViolations(page)) found.push(`${entry.name}: ${line}`);
      found.push(...(await narrowScreenProblems(page, entry.name, entry.control)));
    }
    // The launch error page, in the tab Join Lesson opens.
    await page.goto(`/bookings/${lessons.ready.id}`);
    await cancelLesson(lessons.ready.id);
    const [tab] = await Promise.all([
      page.context().waitForEvent("page"),
      page.getByRole("button", { name: "Join Lesson" }).click(),
    ]);
    await expect(tab.getByRole("heading", { level: 1 })).toHaveText(/cancelled/i);
    for (const line of await seriousViolations(tab)) found.push(`launch error page: ${line}`);
    found.push(
      ...(await narrowScreenProblems(tab, "launch error page", { role: "link", name: "Back to your lessons" })),
    );
    expect(found).toEqual([]);
  });
}
