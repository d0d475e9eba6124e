// The editor's graph edits (R-ADM-2): adding a step after a step, at the start, in a condition's
// branch or a split's variant; removing the first, a middle or the last step, or a condition / split
// keeping one branch (the other branches' steps and their templates go too); moving a step within a
// straight sequence. Every result must pass the engine's parseFlowDefinition — no dangling link, no
// duplicate id, no template missing — and the sequence must be the one the merchant asked for.
import { describe, expect, it } from "vitest";
import { parseFlowDefinition, type FlowDefinition, type FlowStep } from "../../app/flows/definition";
import {
  addableStepTypes,
  canMoveStep,
  insertStep,
  moveStep,
  removalChoices,
  removeStep,
  StepEditError,
  type LinkSlot,
} from "../../app/flows/definition-edits";
import { flowPresets, presetDefinition } from "../../app/flows/presets";
import { newStepWords } from "../../app/components/flows/steps";
import { validateMessageTemplate, type MessageTemplate } from "../../app/messaging/compose";

const template: MessageTemplate = {
  versions: {
    en: {
      email: {
        subject: "News from {{ shop.name }}",
        html: "<p>Hi{% if customer.first_name != blank %} {{ customer.first_name }}{% endif %},</p>",
        text: "Hi,\n\n{{ shop.name }}",
      },
    },
  },
};
const words = { template, pointsReason: "Flow reward" };

/** Parses (throws on any problem) and checks the ids are unique. */
function valid(definition: FlowDefinition): FlowDefinition {
  const parsed = parseFlowDefinition(JSON.parse(JSON.stringify(definition)));
  const ids = parsed.steps.map((step) => step.id);
  expect(new Set(ids).size).toBe(ids.length);
  return parsed;
}

const byId = (definition: FlowDefinition, id: string): FlowStep => {
  const step = definition.steps.find((candidate) => candidate.id === id);
  if (!step) throw new Error(`no step ${id}`);
  return step;
};

/** The ids from `id` following `next` until a fork, an exit or the end. */
function line(definition: FlowDefinition, id: string | null = definition.start): string[] {
  const ids: string[] = [];
  while (id !== null && ids.length < 100) {
    const step = byId(definition, id);
    ids.push(step.id);
    id = "next" in step ? step.next : null;
  }
  return ids;
}

const cart = () => presetDefinition("abandoned-checkout");
const cartLine = [
  "wait-first",
  "first-reminder",
  "wait-second",
  "second-reminder",
  "wait-third",
  "third-discount",
  "third-reminder",
];

/** check → yes: thanks (send) → wait-yes; no: nudge (send) → null. */
const branching = (): FlowDefinition =>
  valid({
    ...cart(),
    start: "check",
    templates: { thanks: template, nudge: template, shared: template },
    steps: [
      {
        id: "check",
        type: "condition",
        condition: { kind: "has_ordered_since_start" },
        yes: "thanks",
        no: "nudge",
      },
      { id: "thanks", type: "send", template: "thanks", purpose: "marketing", next: "wait-yes" },
      { id: "wait-yes", type: "wait", minutes: 60, from: "step", next: "after" },
      { id: "nudge", type: "send", template: "nudge", purpose: "marketing", next: null },
      { id: "after", type: "send", template: "shared", purpose: "marketing", next: null },
    ],
  });

/** ab → a: mail-a → null; b: null. */
const splitting = (): FlowDefinition =>
  valid({
    ...cart(),
    start: "ab",
    templates: { a: template },
    steps: [
      {
        id: "ab",
        type: "split",
        variants: [
          { id: "a", weight: 50, next: "mail-a" },
          { id: "b", weight: 50, next: null },
        ],
      },
      { id: "mail-a", type: "send", template: "a", purpose: "marketing", next: null },
    ],
  });

describe("adding a step", () => {
  it("goes after a step in a straight line, as a 1-day wait leading on", () => {
    expect(line(cart())).toEqual(cartLine);
    const { definition, id } = insertStep(cart(), { from: "first-reminder", path: "next" }, "wait", words);
    expect(id).toBe("wait-1");
    expect(line(valid(definition))).toEqual([
      "wait-first",
      "first-reminder",
      "wait-1",
      "wait-second",
      "second-reminder",
      "wait-third",
      "third-discount",
      "third-reminder",
    ]);
    expect(byId(definition, "wait-1")).toEqual({
      id: "wait-1",
      type: "wait",
      minutes: 1440,
      from: "step",
      next: "wait-second",
    });
  });

  it("goes at the end and at the start; a send gets a new template of its own with an English e-mail", () => {
    const end = insertStep(cart(), { from: "third-reminder", path: "next" }, "send", words);
    expect(line(valid(end.definition))).toEqual([...cartLine, "send-1"]);
    const send = byId(end.definition, "send-1");
    expect(send).toMatchObject({ type: "send", template: "message-1", purpose: "marketing", next: null });
    expect(end.definition.templates["message-1"]?.versions.en?.email?.subject).toBe(
      "News from {{ shop.name }}",
    );
    expect(Object.keys(end.definition.templates)).toHaveLength(4);

    const start = insertStep(end.definition, { from: null, path: "start" }, "send", words);
    expect(start.id).toBe("send-2");
    expect(byId(start.definition, "send-2")).toMatchObject({ template: "message-2", next: "wait-first" });
    expect(line(valid(start.definition))).toEqual(["send-2", ...cartLine, "send-1"]);
  });

  it("gives every new step an id no other step has, whatever the ids before", () => {
    const definition = valid({
      ...cart(),
      start: "wait-2",
      steps: [
        { id: "wait-2", type: "wait", minutes: 60, from: "step", next: "wait-3" },
        { id: "wait-3", type: "wait", minutes: 60, from: "step", next: null },
      ],
    });
    const next = insertStep(definition, { from: "wait-2", path: "next" }, "wait", words);
    expect(next.id).toBe("wait-1");
    const again = insertStep(next.definition, { from: "wait-1", path: "next" }, "wait", words);
    expect(again.id).toBe("wait-4");
    expect(line(valid(again.definition)).slice(0, 4)).toEqual(["wait-2", "wait-1", "wait-4", "wait-3"]);
  });

  it("goes at the start of a condition's yes branch or into an empty no branch", () => {
    const yes = insertStep(branching(), { from: "check", path: "yes" }, "points", words);
    expect(byId(valid(yes.definition), "check")).toMatchObject({ yes: "points-1", no: "nudge" });
    expect(line(yes.definition, "points-1")).toEqual(["points-1", "thanks", "wait-yes", "after"]);
    expect(byId(yes.definition, "points-1")).toMatchObject({ points: 100, reason: "Flow reward" });

    const emptyNo = valid({
      ...branching(),
      steps: branching()
        .steps.map((s) => (s.id === "check" ? { ...s, no: null } : s))
        .filter((s) => s.id !== "nudge"),
      templates: { thanks: template, shared: template },
    });
    const no = insertStep(emptyNo, { from: "check", path: "no" }, "discount", words);
    expect(byId(valid(no.definition), "check")).toMatchObject({ yes: "thanks", no: "discount-1" });
    expect(byId(no.definition, "discount-1")).toMatchObject({
      benefit: { kind: "percentage", percentOff: 10 },
      expiresAfterDays: 7,
      next: null,
    });
  });

  it("goes into a split's variant, full or empty", () => {
    const b = insertStep(splitting(), { from: "ab", path: "variants.1.next" }, "send", words);
    const split = byId(valid(b.definition), "ab");
    expect(split.type === "split" && split.variants.map((v) => v.next)).toEqual(["mail-a", "send-1"]);
    const a = insertStep(b.definition, { from: "ab", path: "variants.0.next" }, "wait", words);
    expect(line(valid(a.definition), "wait-1")).toEqual(["wait-1", "mail-a"]);
  });

  it("adds a condition or a 50/50 split in the middle with both branches leading on to the rest", () => {
    const condition = insertStep(cart(), { from: "first-reminder", path: "next" }, "condition", words);
    expect(byId(valid(condition.definition), "condition-1")).toEqual({
      id: "condition-1",
      type: "condition",
      condition: { kind: "has_ordered_since_start" },
      yes: "wait-second",
      no: "wait-second",
    });
    const split = insertStep(condition.definition, { from: "condition-1", path: "no" }, "split", words);
    expect(byId(valid(split.definition), "split-1")).toMatchObject({
      variants: [
        { id: "a", weight: 50, next: "wait-second" },
        { id: "b", weight: 50, next: "wait-second" },
      ],
    });
    expect(byId(split.definition, "condition-1")).toMatchObject({ yes: "wait-second", no: "split-1" });
  });

  it("refuses a place that is not a link", () => {
    expect(() => insertStep(cart(), { from: "nope", path: "next" }, "wait", words)).toThrow(StepEditError);
    expect(() => insertStep(cart(), { from: "first-reminder", path: "yes" }, "wait", words)).toThrow(
      StepEditError,
    );
    expect(() => insertStep(splitting(), { from: "ab", path: "variants.5.next" }, "wait", words)).toThrow(
      StepEditError,
    );
  });
});

describe("removing a step", () => {
  it("removes a middle step: the step before leads to the one after", () => {
    const result = removeStep(cart(), "wait-second");
    expect(result?.removed).toEqual(["wait-second"]);
    expect(line(valid(result!.definition))).toEqual(cartLine.filter((id) => id !== "wait-second"));
  });

  it("removes the last step and drops its template", () => {
    const result = removeStep(cart(), "third-reminder");
    const definition = valid(result!.definition);
    expect(line(definition)).toEqual(cartLine.slice(0, -1));
    expect(byId(definition, "third-discount")).toMatchObject({ next: null });
    expect(Object.keys(definition.templates).sort()).toEqual(["first-reminder", "second-reminder"]);
  });

  it("removes the first step: the flow starts with the one after", () => {
    const result = removeStep(cart(), "wait-first");
    expect(valid(result!.definition).start).toBe("first-reminder");
    expect(line(result!.definition)).toEqual(cartLine.slice(1));
  });

  it("keeps a template another step still uses", () => {
    const shared = valid({
      ...cart(),
      steps: cart().steps.map((s) => (s.id === "second-reminder" ? { ...s, template: "first-reminder" } : s)),
      templates: { ...cart().templates },
    });
    const result = removeStep(shared, "first-reminder");
    expect(Object.keys(valid(result!.definition).templates)).toContain("first-reminder");
  });

  it("removes a condition keeping the no branch: the yes branch's steps and templates go too", () => {
    const keepNo = removeStep(branching(), "check", "no");
    const definition = valid(keepNo!.definition);
    expect(definition.start).toBe("nudge");
    expect(definition.steps.map((s) => s.id)).toEqual(["nudge"]);
    expect(keepNo!.removed).toEqual(["check", "thanks", "wait-yes", "after"]);
    expect(Object.keys(definition.templates)).toEqual(["nudge"]);
  });

  it("removes a condition in the middle keeping yes; steps also reached from the kept branch stay", () => {
    const merged = valid({
      ...branching(),
      start: "first",
      steps: [
        { id: "first", type: "wait", minutes: 5, from: "step", next: "check" },
        ...branching().steps.map((s) => (s.id === "nudge" ? { ...s, next: "after" } : s)),
      ],
    });
    const result = removeStep(merged, "check", "yes");
    const definition = valid(result!.definition);
    expect(line(definition)).toEqual(["first", "thanks", "wait-yes", "after"]);
    expect(result!.removed).toEqual(["check", "nudge"]);
    expect(Object.keys(definition.templates).sort()).toEqual(["shared", "thanks"]);
  });

  it("removes a split keeping variant b, or neither (the flow ends there)", () => {
    const preceded = valid({
      ...splitting(),
      start: "w",
      steps: [{ id: "w", type: "wait", minutes: 5, from: "step", next: "ab" }, ...splitting().steps],
    });
    const keepB = removeStep(preceded, "ab", "variants.1.next");
    expect(line(valid(keepB!.definition))).toEqual(["w"]);
    expect(keepB!.definition.templates).toEqual({});
    const keepA = removeStep(preceded, "ab", "variants.0.next");
    expect(line(valid(keepA!.definition))).toEqual(["w", "mail-a"]);
    const neither = removeStep(preceded, "ab", null);
    expect(valid(neither!.definition).steps.map((s) => s.id)).toEqual(["w"]);
  });

  it("refuses to leave a flow with no first step", () => {
    const one = valid({
      ...cart(),
      start: "only",
      steps: [{ id: "only", type: "points", points: 5, reason: "x", next: null }],
    });
    expect(removeStep(one, "only")).toBeNull();
    expect(removeStep(splitting(), "ab", "variants.1.next")).toBeNull();
    expect(removeStep(splitting(), "ab", "variants.0.next")?.definition.start).toBe("mail-a");
    expect(() => removeStep(cart(), "nope")).toThrow(StepEditError);
    expect(() => removeStep(branching(), "check", "next")).toThrow(StepEditError);
  });

  it("redirects every link into the step, including loops and merges", () => {
    const loop = valid({
      ...cart(),
      start: "wait",
      templates: { t: template },
      steps: [
        { id: "wait", type: "wait", minutes: 60, from: "step", next: "send" },
        { id: "send", type: "send", template: "t", purpose: "marketing", next: "check" },
        {
          id: "check",
          type: "condition",
          condition: { kind: "has_ordered_since_start" },
          yes: null,
          no: "wait",
        },
      ],
    });
    const result = removeStep(loop, "send");
    expect(byId(valid(result!.definition), "wait")).toMatchObject({ next: "check" });
    // Removing the loop's only wait leaves a loop the engine refuses, and the save names it.
    const noWait = removeStep(result!.definition, "wait");
    expect(() => parseFlowDefinition(noWait!.definition)).toThrow(/loop with no wait/);
  });
});

describe("moving a step", () => {
  it("moves a step up and down within a straight sequence", () => {
    const up = moveStep(cart(), "second-reminder", "up");
    expect(line(valid(up))).toEqual([
      "wait-first",
      "first-reminder",
      "second-reminder",
      "wait-second",
      "wait-third",
      "third-discount",
      "third-reminder",
    ]);
    const down = moveStep(cart(), "wait-first", "down");
    expect(valid(down).start).toBe("first-reminder");
    expect(line(down)).toEqual(["first-reminder", "wait-first", ...cartLine.slice(2)]);
    expect(line(valid(moveStep(down, "wait-first", "up")))).toEqual(cartLine);
  });

  it("does not move across the start, the end, a fork or a merge", () => {
    expect(canMoveStep(cart(), "wait-first", "up")).toBe(false);
    expect(canMoveStep(cart(), "third-reminder", "down")).toBe(false);
    expect(canMoveStep(cart(), "third-reminder", "up")).toBe(true);
    expect(canMoveStep(branching(), "thanks", "up")).toBe(false);
    expect(canMoveStep(branching(), "check", "down")).toBe(false);
    expect(canMoveStep(branching(), "wait-yes", "up")).toBe(true);
    const merge = valid({
      ...branching(),
      steps: branching().steps.map((s) => (s.id === "nudge" ? { ...s, next: "after" } : s)),
    });
    expect(canMoveStep(merge, "after", "up")).toBe(false);
    expect(canMoveStep(merge, "wait-yes", "down")).toBe(false);
    expect(() => moveStep(merge, "after", "up")).toThrow(StepEditError);
  });
});

describe("the editor's words for a new step", () => {
  it("gives a new send an English e-mail (and one in Czech for a Czech admin) that validates", () => {
    const en = newStepWords("en");
    expect(Object.keys(en.template.versions)).toEqual(["en"]);
    expect(en.pointsReason).toBe("Flow reward");
    const cs = newStepWords("cs");
    expect(Object.keys(cs.template.versions)).toEqual(["en", "cs"]);
    expect(cs.template.versions.cs?.email?.subject).toBe("Novinky z obchodu {{ shop.name }}");
    expect(cs.pointsReason).toBe("Odměna z automatizace");
    for (const words of [en, cs]) {
      expect(validateMessageTemplate(words.template)).toEqual([]);
      const added = insertStep(cart(), { from: "first-reminder", path: "next" }, "send", words);
      valid(added.definition);
    }
  });
});

describe("every edit of every preset flow", () => {
  const slotsOf = (definition: FlowDefinition): LinkSlot[] => [
    { from: null, path: "start" },
    ...definition.steps.flatMap((step) => removalChoices(step).map((path) => ({ from: step.id, path }))),
  ];

  for (const preset of flowPresets) {
    it(`${preset.id}: adding any type anywhere, removing any step, moving any step still validates`, () => {
      const definition = presetDefinition(preset.id);
      for (const slot of slotsOf(definition))
        for (const type of addableStepTypes) {
          const added = insertStep(definition, slot, type, words);
          valid(added.definition);
          expect(added.definition.steps).toHaveLength(definition.steps.length + 1);
        }
      for (const step of definition.steps)
        for (const keep of [...removalChoices(step), null]) {
          const removed = removeStep(definition, step.id, keep);
          if (removed === null) continue;
          valid(removed.definition);
          expect(removed.definition.steps.some((s) => s.id === step.id)).toBe(false);
        }
      for (const step of definition.steps)
        for (const direction of ["up", "down"] as const)
          if (canMoveStep(definition, step.id, direction)) valid(moveStep(definition, step.id, direction));
    });
  }
});
