import { describe, expect, it } from "vitest";
import { TaskList } from "./task-list.js";

const ESC = String.fromCharCode(27);
const ERASE = new RegExp(`(${ESC}\\[\\d+F${ESC}\\[J)`);

/** A terminal that applies the two escape sequences the list uses, so the screen can be read back. */
function fakeTerminal(columns = 80) {
  const screen: string[] = [];
  let partial = "";
  return {
    columns,
    screen,
    write(text: string) {
      // ESC[nF: cursor up n lines to their start; ESC[J: clear to the end of the screen.
      for (const part of text.split(ERASE)) {
        if (part.startsWith(ESC)) {
          screen.splice(screen.length - Number.parseInt(part.slice(2), 10));
          continue;
        }
        const lines = (partial + part).split("\n");
        partial = lines.pop() ?? "";
        screen.push(...lines);
      }
    },
  };
}

describe("the live task list", () => {
  it("redraws the steps in place, with log lines above, durations and final marks", () => {
    let now = 1_000;
    const term = fakeTerminal();
    const list = new TaskList(term, ["promote-database", "scale-standby"], () => now);
    list.update("promote-database", "running", "app-db-replica -> promoted");
    now += 1_500;
    list.log("[promote-database] waiting for available");
    list.update("scale-standby", "running");
    now += 500;
    list.update("promote-database", "succeeded");
    list.update("scale-standby", "failed", "group web not found");
    list.stop();
    expect(term.screen).toEqual([
      "[promote-database] waiting for available",
      "  ✔ promote-database succeeded    2.0s  app-db-replica -> promoted",
      "  ✖ scale-standby    failed       0.5s  group web not found",
    ]);
  });

  it("adds a step it did not know (a rollback's) and cuts lines to the terminal's width", () => {
    const term = fakeTerminal(30);
    const list = new TaskList(term, ["a"], () => 0);
    list.update("undo-a-with-a-long-name", "running", "a very long description of the work");
    list.stop();
    expect(term.screen).toHaveLength(2);
    expect(term.screen[1]).toHaveLength(29);
    expect(term.screen[1]?.endsWith("…")).toBe(true);
    expect(term.screen[0]).toMatch(/^ {2}· a {20,}…$/);
  });

  it("marks a step in doubt, waiting for a person, apart from a failed one", () => {
    const term = fakeTerminal();
    const list = new TaskList(term, ["announce"], () => 0);
    list.update("announce", "running");
    list.update("announce", "in-doubt", "may or may not have gone out");
    list.stop();
    expect(term.screen).toEqual(["  ? announce in-doubt     0.0s  may or may not have gone out"]);
  });
});
