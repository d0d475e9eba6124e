// Flows as data (R-FLOW-1): the shape of a definition with its defaults, and the graph checks that
// refuse a flow the engine could not run (dangling links, unknown or broken templates, duplicate
// ids, loops with no wait), every problem naming the step it is in so the editor can point at it.
import { describe, expect, it } from "vitest";
import {
  InvalidFlowError,
  definitionProblems,
  linksOf,
  parseFlowDefinition,
  storedDefinition,
  type DefinitionProblem,
  type FlowStep,
} from "../../app/flows/definition";

const reminder = {
  versions: {
    en: {
      email: {
        subject: "{{ customer.first_name }}, your cart is waiting",
        html: '<p>Hi {{ customer.first_name }}</p>\n<a href="{{ checkout_url }}">Back to your cart</a>',
        text: "Hi {{ customer.first_name }}, {{ checkout_url }}",
      },
      sms: { body: "{{ shop.name }}: your cart {{ checkout_url }}" },
    },
  },
};
const lastCall = {
  versions: {
    en: { sms: { body: "Last call: {{ discount_code }} at {{ checkout_url }}" } },
    cs: { sms: { body: "Poslední šance: {{ discount_code }}" } },
  },
};
/** The `{% if %}` on line 3 of the e-mail HTML is never closed. */
const unclosedIf = {
  versions: {
    en: {
      email: {
        subject: "Hello",
        html: "<p>Hello</p>\n<p>\n{% if customer.first_name %}Hi {{ customer.first_name }}\n</p>",
        text: "Hello",
      },
    },
  },
};

/** Abandoned cart: send, wait 60 min, send, wait 24 h, send. */
function threeStepFlow(): Record<string, unknown> {
  return {
    trigger: { event: "checkout.updated" },
    templates: { reminder, last_call: lastCall },
    start: "first",
    steps: [
      { id: "first", type: "send", template: "reminder", next: "wait-hour" },
      { id: "wait-hour", type: "wait", minutes: 60, next: "second" },
      { id: "second", type: "send", template: "reminder", next: "wait-day" },
      { id: "wait-day", type: "wait", minutes: 24 * 60, next: "third" },
      { id: "third", type: "send", template: "last_call", next: null },
    ],
  };
}

/** A valid flow with these steps (starting at the first) and the three-step flow's templates. */
function flowWith(steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const first = steps[0] as { id?: unknown } | undefined;
  return { ...threeStepFlow(), start: first?.id ?? "first", steps, ...extra };
}

/** The single problem of an input, failing the test when there is not exactly one. */
function onlyProblem(input: unknown): DefinitionProblem {
  const problems = definitionProblems(input);
  expect(problems).toHaveLength(1);
  const [problem] = problems;
  if (!problem) throw new Error("expected a problem");
  return problem;
}

/** The InvalidFlowError parseFlowDefinition throws for an input, failing the test when it does not. */
function refusal(input: unknown): InvalidFlowError {
  try {
    parseFlowDefinition(input);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFlowError);
    return error as InvalidFlowError;
  }
  throw new Error("expected parseFlowDefinition to refuse the definition");
}

describe("a valid flow definition", () => {
  it("parses a three-step flow (send, wait 60 min, send, wait 24 h, send) with no problems", () => {
    expect(definitionProblems(threeStepFlow())).toEqual([]);
    const flow = parseFlowDefinition(threeStepFlow());
    expect(flow.start).toBe("first");
    expect(flow.steps.map((step) => [step.id, step.type])).toEqual([
      ["first", "send"],
      ["wait-hour", "wait"],
      ["second", "send"],
      ["wait-day", "wait"],
      ["third", "send"],
    ]);
    expect(flow.steps[1]).toEqual({
      id: "wait-hour",
      type: "wait",
      from: "step",
      minutes: 60,
      next: "second",
    });
    expect(flow.steps[3]).toEqual({
      id: "wait-day",
      type: "wait",
      from: "step",
      minutes: 1440,
      next: "third",
    });
    expect(Object.keys(flow.templates)).toEqual(["reminder", "last_call"]);
    expect(flow.templates.reminder).toEqual(reminder);
  });

  it("applies the defaults for everything left out", () => {
    const flow = parseFlowDefinition(threeStepFlow());
    expect(flow.reentry).toEqual({ mode: "every_time" });
    expect(flow.exitOnPurchase).toBe(true);
    expect(flow.controlPercent).toBe(0);
    expect(flow.trigger).toEqual({ event: "checkout.updated", delayMinutes: 0, filters: [] });
    expect(flow.filters).toEqual([]);
    for (const step of flow.steps) {
      if (step.type === "send") expect(step.purpose).toBe("marketing");
      if (step.type === "send") expect(step.channels).toBeUndefined();
    }
  });

  it("keeps what the merchant set instead of the defaults", () => {
    const flow = parseFlowDefinition({
      ...threeStepFlow(),
      trigger: {
        event: "order.fulfilled",
        delayMinutes: 30,
        filters: [{ kind: "profile", field: "ordersCount", operator: "at_least", value: 2 }],
      },
      filters: [{ kind: "profile", field: "emailConsent", operator: "equals", value: true }],
      reentry: { mode: "once_per_days", days: 30 },
      exitOnPurchase: false,
      controlPercent: 50,
      steps: [
        {
          id: "first",
          type: "send",
          template: "reminder",
          purpose: "transactional",
          channels: ["sms", "email"],
          next: "wait-hour",
        },
        ...(threeStepFlow().steps as unknown[]).slice(1),
      ],
    });
    expect(flow.trigger).toEqual({
      event: "order.fulfilled",
      delayMinutes: 30,
      filters: [{ kind: "profile", field: "ordersCount", operator: "at_least", value: 2 }],
    });
    expect(flow.filters).toHaveLength(1);
    expect(flow.reentry).toEqual({ mode: "once_per_days", days: 30 });
    expect(flow.exitOnPurchase).toBe(false);
    expect(flow.controlPercent).toBe(50);
    expect(flow.steps[0]).toEqual({
      id: "first",
      type: "send",
      template: "reminder",
      purpose: "transactional",
      channels: ["sms", "email"],
      next: "wait-hour",
    });
  });

  it("defaults the other step types' optional fields", () => {
    const flow = parseFlowDefinition(
      flowWith([
        {
          id: "check",
          type: "condition",
          condition: { kind: "has_ordered_since_start" },
          yes: "reward",
          no: "morning",
        },
        { id: "reward", type: "points", points: 100, next: "bye" },
        { id: "morning", type: "wait", until: { time: "09:30", weekdays: [1, 2, 3, 4, 5] }, next: "ab" },
        {
          id: "ab",
          type: "split",
          variants: [
            { id: "a", weight: 1, next: "first" },
            { id: "b", weight: 3, next: "bye" },
          ],
        },
        { id: "first", type: "send", template: "reminder", next: null },
        { id: "bye", type: "exit" },
      ]),
    );
    expect(flow.steps[1]).toEqual({
      id: "reward",
      type: "points",
      points: 100,
      reason: "Flow reward",
      next: "bye",
    });
    expect(flow.steps[2]).toEqual({
      id: "morning",
      type: "wait",
      from: "step",
      until: { time: "09:30", weekdays: [1, 2, 3, 4, 5], zone: "recipient" },
      next: "ab",
    });
  });
});

describe("refusing a flow definition", () => {
  it("refuses a link to a step that does not exist, naming the step the link is in", () => {
    const flow = threeStepFlow();
    (flow.steps as { next?: string }[])[2] = { ...(flow.steps as object[])[2], next: "wait-week" };
    const problem = onlyProblem(flow);
    expect(problem.step).toBe("second");
    expect(problem.message).toBe('leads to "wait-week", which is not a step');
  });

  it("refuses dangling links of conditions and split variants too", () => {
    const condition = onlyProblem(
      flowWith([
        {
          id: "check",
          type: "condition",
          condition: { kind: "has_ordered_since_start" },
          yes: null,
          no: "ghost",
        },
      ]),
    );
    expect(condition.step).toBe("check");
    expect(condition.message).toContain('"ghost"');

    const split = onlyProblem(
      flowWith([
        {
          id: "ab",
          type: "split",
          variants: [
            { id: "a", weight: 1, next: "bye" },
            { id: "b", weight: 1, next: "nowhere" },
          ],
        },
        { id: "bye", type: "exit" },
      ]),
    );
    expect(split.step).toBe("ab");
    expect(split.message).toContain('"nowhere"');
  });

  it("refuses a send step whose template is not in the flow", () => {
    const flow = threeStepFlow();
    (flow.steps as object[])[4] = { id: "third", type: "send", template: "farewell", next: null };
    const problem = onlyProblem(flow);
    expect(problem.step).toBe("third");
    expect(problem.path).toBe("template");
    expect(problem.message).toBe('uses the unknown template "farewell"');
  });

  it("refuses a template with a liquid syntax error, giving the part and the line", () => {
    const flow = flowWith(
      [
        { id: "nudge", type: "send", template: "broken", next: "later" },
        { id: "later", type: "wait", minutes: 60, next: null },
      ],
      { templates: { reminder, broken: unclosedIf } },
    );
    const problem = onlyProblem(flow);
    expect(problem.step).toBe("nudge");
    expect(problem.path).toBe("template broken · en · e-mail HTML");
    expect(problem.message).toMatch(/\bline 3\b/i);
    expect(problem.message).toContain("{% if customer.first_name %}");
    expect(problem.message).toContain("is not closed");
    expect(refusal(flow).message).toContain('step "nudge": template broken · en · e-mail HTML: ');
  });

  it("refuses two steps with the same id", () => {
    const flow = threeStepFlow();
    (flow.steps as object[])[4] = { id: "second", type: "send", template: "last_call", next: null };
    (flow.steps as object[])[3] = { id: "wait-day", type: "wait", minutes: 1440, next: null };
    const problem = onlyProblem(flow);
    expect(problem.step).toBe("second");
    expect(problem.path).toBe("id");
    expect(problem.message).toBe("is used by two steps");
  });

  it("refuses a start that is not a step", () => {
    const problem = onlyProblem({ ...threeStepFlow(), start: "begin" });
    // The start is not inside any step: the problem names the field and the missing id instead.
    expect(problem.step).toBeNull();
    expect(problem.path).toBe("start");
    expect(problem.message).toBe('leads to "begin", which is not a step');
  });

  it("refuses a loop with no wait step, and accepts the same loop through a wait", () => {
    const condition = {
      id: "check",
      type: "condition",
      condition: { kind: "profile", field: "ordersCount", operator: "equals", value: 0 },
      yes: "nudge",
      no: null,
    };
    const spinning = flowWith([
      condition,
      { id: "nudge", type: "send", template: "reminder", next: "check" },
    ]);
    const problems = definitionProblems(spinning);
    expect(problems).toHaveLength(1);
    expect(["check", "nudge"]).toContain(problems[0]?.step);
    expect(problems[0]?.message).toBe("is in a loop with no wait step; add a wait to the loop");
    expect(refusal(spinning).message).toMatch(/^step "(check|nudge)": is in a loop with no wait step/);

    const waiting = flowWith([
      condition,
      { id: "nudge", type: "send", template: "reminder", next: "pause" },
      { id: "pause", type: "wait", minutes: 24 * 60, next: "check" },
    ]);
    expect(definitionProblems(waiting)).toEqual([]);
    expect(parseFlowDefinition(waiting).steps).toHaveLength(3);
  });

  it("refuses a step that leads to itself, and loops through splits and points", () => {
    const self = onlyProblem(flowWith([{ id: "again", type: "send", template: "reminder", next: "again" }]));
    expect(self.step).toBe("again");
    expect(self.message).toContain("loop with no wait");

    const problems = definitionProblems(
      flowWith([
        {
          id: "ab",
          type: "split",
          variants: [
            { id: "a", weight: 1, next: "reward" },
            { id: "b", weight: 1, next: null },
          ],
        },
        { id: "reward", type: "points", points: 10, next: "ab" },
      ]),
    );
    expect(problems).toHaveLength(1);
    expect(["ab", "reward"]).toContain(problems[0]?.step);
  });

  it("refuses a wait step with both minutes and until, or with neither", () => {
    const both = onlyProblem(
      flowWith([{ id: "pause", type: "wait", minutes: 60, until: { time: "09:00" }, next: null }]),
    );
    expect(both.step).toBe("pause");
    expect(both.message).toBe("needs either minutes or until (not both)");

    const neither = onlyProblem(flowWith([{ id: "pause", type: "wait", next: null }]));
    expect(neither.step).toBe("pause");
    expect(neither.message).toBe("needs either minutes or until (not both)");
  });

  it("refuses a split whose variants share an id", () => {
    const problem = onlyProblem(
      flowWith([
        {
          id: "ab",
          type: "split",
          variants: [
            { id: "a", weight: 1, next: null },
            { id: "a", weight: 2, next: null },
          ],
        },
      ]),
    );
    expect(problem.step).toBe("ab");
    expect(problem.path).toBe("variants");
    expect(problem.message).toBe("two variants have the same id");
  });

  it("refuses a split with fewer than two variants", () => {
    const problem = onlyProblem(
      flowWith([{ id: "ab", type: "split", variants: [{ id: "only", weight: 1, next: null }] }]),
    );
    expect(problem.step).toBe("ab");
    expect(problem.path).toBe("steps.0.variants");
    expect(problem.message).toMatch(/>=\s*2/);
  });

  it("reports shape errors inside steps[2] with that step's id", () => {
    const flow = threeStepFlow();
    (flow.steps as object[])[2] = {
      id: "second",
      type: "send",
      template: "",
      purpose: "spam",
      next: "wait-day",
    };
    const problems = definitionProblems(flow);
    expect(problems).toHaveLength(2);
    expect(problems).toEqual([
      expect.objectContaining({ step: "second", path: "steps.2.template" }),
      expect.objectContaining({ step: "second", path: "steps.2.purpose" }),
    ]);
    expect(problems[1]?.message).toContain("marketing");
    expect(problems[1]?.message).toContain("transactional");

    // A wait step with a malformed time of day: the step and the field are named.
    (flow.steps as object[])[2] = { id: "second", type: "wait", until: { time: "25:00" }, next: "wait-day" };
    expect(onlyProblem(flow)).toEqual({
      step: "second",
      path: "steps.2.until.time",
      message: "is a time of day such as 09:30",
    });
  });

  it("names a step with no usable id by its position", () => {
    const flow = threeStepFlow();
    (flow.steps as object[])[2] = { type: "send", template: "reminder", next: "wait-day" };
    const problem = onlyProblem(flow);
    expect(problem.step).toBe("#3");
    expect(problem.path).toBe("steps.2.id");
  });

  it("refuses an unknown step type, listing the types there are", () => {
    const flow = threeStepFlow();
    (flow.steps as object[])[2] = {
      id: "second",
      type: "webhook",
      url: "https://example.com",
      next: "wait-day",
    };
    const problem = onlyProblem(flow);
    expect(problem.step).toBe("second");
    expect(problem.path).toBe("steps.2.type");
    for (const type of ["wait", "send", "condition", "split", "points", "exit"]) {
      expect(problem.message).toContain(type);
    }
  });

  it("refuses a control group above 50 %", () => {
    const problem = onlyProblem({ ...threeStepFlow(), controlPercent: 51 });
    expect(problem.step).toBeNull();
    expect(problem.path).toBe("controlPercent");
    expect(problem.message).toMatch(/50/);
    expect(definitionProblems({ ...threeStepFlow(), controlPercent: 50 })).toEqual([]);
  });

  it("refuses input that is not a flow at all", () => {
    expect(definitionProblems(null)).toEqual([expect.objectContaining({ step: null, path: "" })]);
    expect(definitionProblems({ ...threeStepFlow(), steps: [] })).toEqual([
      expect.objectContaining({ step: null, path: "steps" }),
    ]);
    expect(() => parseFlowDefinition("flow")).toThrow(InvalidFlowError);
  });
});

describe("InvalidFlowError", () => {
  it("lists every problem, each with its step and field, and parseFlowDefinition throws it", () => {
    const flow = flowWith(
      [
        { id: "first", type: "send", template: "farewell", next: "pause" },
        { id: "pause", type: "wait", minutes: 60, next: "third" },
        { id: "pause", type: "wait", minutes: 60, next: null },
        { id: "broken", type: "send", template: "broken", next: null },
      ],
      { start: "begin", templates: { reminder, broken: unclosedIf } },
    );
    const error = refusal(flow);
    expect(error.name).toBe("InvalidFlowError");
    expect(error).toBeInstanceOf(Error);
    expect(error.problems).toEqual(definitionProblems(flow));
    expect(error.problems.map((problem) => problem.step)).toEqual([
      "pause",
      null,
      "first",
      "pause",
      "broken",
    ]);
    expect(error.message.split("; ")).toEqual([
      'step "pause": id: is used by two steps',
      'start: leads to "begin", which is not a step',
      'step "first": template: uses the unknown template "farewell"',
      'step "pause": next: leads to "third", which is not a step',
      expect.stringMatching(/^step "broken": template broken · en · e-mail HTML: .*line 3.*is not closed$/i),
    ]);
  });

  it("joins problems given directly, leaving out an empty step and path", () => {
    const error = new InvalidFlowError([
      { step: "a", path: "next", message: "first" },
      { step: null, path: "controlPercent", message: "second" },
      { step: "b", path: "", message: "third" },
    ]);
    expect(error.message).toBe('step "a": next: first; controlPercent: second; step "b": third');
    expect(error.problems).toHaveLength(3);
  });
});

describe("storedDefinition", () => {
  it("parses each flowId@version once and returns the same object after that", () => {
    const stored = threeStepFlow();
    const first = storedDefinition("flow-cache-test", 1, stored);
    expect(first).toEqual(parseFlowDefinition(stored));
    expect(storedDefinition("flow-cache-test", 1, stored)).toBe(first);
    // A version never changes once written: the key alone decides, whatever is passed again.
    expect(storedDefinition("flow-cache-test", 1, { ...stored, controlPercent: 20 })).toBe(first);
    expect(storedDefinition("flow-cache-test", 1, null)).toBe(first);
  });

  it("parses a new version, or another flow's same version, separately", () => {
    const one = storedDefinition("flow-cache-versions", 1, threeStepFlow());
    const two = storedDefinition("flow-cache-versions", 2, { ...threeStepFlow(), controlPercent: 10 });
    expect(two).not.toBe(one);
    expect(one.controlPercent).toBe(0);
    expect(two.controlPercent).toBe(10);
    expect(storedDefinition("flow-cache-versions", 2, threeStepFlow())).toBe(two);

    const other = storedDefinition("flow-cache-other", 1, { ...threeStepFlow(), controlPercent: 5 });
    expect(other).not.toBe(one);
    expect(other.controlPercent).toBe(5);
  });

  it("applies defaults and throws (caching nothing) when the stored data does not have the shape", () => {
    const flow = storedDefinition("flow-cache-defaults", 3, threeStepFlow());
    expect(flow.reentry).toEqual({ mode: "every_time" });
    expect(flow.trigger.delayMinutes).toBe(0);
    expect(() => storedDefinition("flow-cache-bad", 1, { start: "x" })).toThrow();
    expect(storedDefinition("flow-cache-bad", 1, threeStepFlow()).start).toBe("first");
  });
});

describe("linksOf", () => {
  it("returns the ids each step type leads to", () => {
    const steps: [FlowStep, (string | null)[]][] = [
      [{ id: "w", type: "wait", from: "step", minutes: 5, next: "s" }, ["s"]],
      [{ id: "w2", type: "wait", from: "step", until: { time: "09:00", zone: "shop" }, next: null }, [null]],
      [{ id: "s", type: "send", template: "t", purpose: "marketing", next: "c" }, ["c"]],
      [
        { id: "c", type: "condition", condition: { kind: "has_ordered_since_start" }, yes: "p", no: null },
        ["p", null],
      ],
      [
        {
          id: "ab",
          type: "split",
          variants: [
            { id: "a", weight: 1, next: "x" },
            { id: "b", weight: 1, next: null },
            { id: "c", weight: 2, next: "y" },
          ],
        },
        ["x", null, "y"],
      ],
      [{ id: "p", type: "points", points: 5, reason: "Thanks", next: "e" }, ["e"]],
      [{ id: "e", type: "exit" }, []],
    ];
    for (const [step, links] of steps) expect(linksOf(step), step.id).toEqual(links);
  });
});
