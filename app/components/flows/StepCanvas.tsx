// The flow's steps as a vertical sequence, read top to bottom like a canvas: condition branches
// (yes / no) and split variants side by side. A step met a second time (a merge or a loop) shows
// "continues at". Clicking a step opens it in the side panel; no drag and drop is needed. A "+"
// in every place a step can go (before the first step, after a step, at the top of each branch)
// asks the editor to add one there.
import { Badge, BlockStack, Box, Button, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";
import type { FlowDefinition, FlowStep } from "../../flows/definition";
import type { LinkSlot } from "../../flows/definition-edits";
import { fill, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";

const typeTone: Record<FlowStep["type"], "info" | "success" | "attention" | "magic" | "warning" | undefined> =
  {
    wait: undefined,
    send: "info",
    condition: "attention",
    split: "magic",
    discount: "success",
    points: "success",
    exit: "warning",
  };

export function StepCanvas({
  definition,
  selected,
  invalidSteps,
  onSelect,
  onAdd,
  describe,
  triggerText,
}: {
  definition: FlowDefinition;
  selected: string | null;
  invalidSteps: ReadonlySet<string>;
  onSelect: (id: string) => void;
  /** Add a step into this link; `label` says where, in the merchant's words. */
  onAdd: (slot: LinkSlot, label: string) => void;
  describe: (step: FlowStep) => string;
  triggerText: string;
}) {
  const t = useMessages(flowsMessages);
  const byId = new Map(definition.steps.map((step) => [step.id, step]));
  const placed = new Set<string>();

  const connector = (
    <div aria-hidden style={{ width: 2, height: 16, background: "#c9cccf", margin: "0 auto" }} />
  );

  const addButton = (slot: LinkSlot, label: string) => (
    <div style={{ display: "flex", justifyContent: "center" }}>
      <Button size="slim" accessibilityLabel={label} onClick={() => onAdd(slot, label)}>
        +
      </Button>
    </div>
  );

  const card = (step: FlowStep) => {
    const isSelected = selected === step.id;
    const invalid = invalidSteps.has(step.id);
    return (
      <button
        type="button"
        data-testid={`step-${step.id}`}
        aria-pressed={isSelected}
        onClick={() => onSelect(step.id)}
        style={{
          width: "100%",
          textAlign: "left",
          cursor: "pointer",
          border: `2px solid ${invalid ? "#c70a24" : isSelected ? "#005bd3" : "#c9cccf"}`,
          borderRadius: 12,
          background: isSelected ? "#eaf4ff" : "#ffffff",
          padding: "10px 12px",
          font: "inherit",
          color: "#303030",
        }}
      >
        <InlineStack gap="200" blockAlign="center" wrap={false}>
          <Badge tone={typeTone[step.type]}>{step.id}</Badge>
          <Text as="span" fontWeight="medium">
            {describe(step)}
          </Text>
        </InlineStack>
      </button>
    );
  };

  const branch = (label: string, next: string | null, key: string, slot: LinkSlot, addLabel: string) => (
    <div key={key} style={{ flex: "1 1 0", minWidth: 160 }}>
      <BlockStack gap="0">
        <Box paddingBlockEnd="100">
          <Text as="p" variant="bodySm" tone="subdued" alignment="center">
            {label}
          </Text>
        </Box>
        {addButton(slot, addLabel)}
        {next !== null ? connector : null}
        {sequence(next)}
      </BlockStack>
    </div>
  );

  function sequence(id: string | null): ReactNode {
    const items: ReactNode[] = [];
    let current = id;
    while (current !== null) {
      const step = byId.get(current);
      if (!step) break;
      if (placed.has(step.id)) {
        items.push(
          <Text
            key={`to-${step.id}-${items.length}`}
            as="p"
            variant="bodySm"
            tone="subdued"
            alignment="center"
          >
            {fill(t.continuesAt, { step: step.id })}
          </Text>,
        );
        return <BlockStack gap="0">{items}</BlockStack>;
      }
      placed.add(step.id);
      if (items.length > 0) items.push(<div key={`c-${step.id}`}>{connector}</div>);
      items.push(<div key={step.id}>{card(step)}</div>);
      if (step.type === "condition" || step.type === "split") {
        const inBranch = (name: string) => fill(t.addStepInBranch, { branch: name, step: step.id });
        const branches =
          step.type === "condition"
            ? [
                branch(t.yes, step.yes, "yes", { from: step.id, path: "yes" }, inBranch(t.yes)),
                branch(t.no, step.no, "no", { from: step.id, path: "no" }, inBranch(t.no)),
              ]
            : step.variants.map((variant, index) =>
                branch(
                  fill(t.variant, { variant: variant.id, weight: variant.weight }),
                  variant.next,
                  variant.id,
                  { from: step.id, path: `variants.${index}.next` },
                  inBranch(fill(t.variantName, { variant: variant.id })),
                ),
              );
        items.push(<div key={`c2-${step.id}`}>{connector}</div>);
        items.push(
          <div key={`b-${step.id}`} style={{ display: "flex", gap: 12, alignItems: "flex-start" }}>
            {branches}
          </div>,
        );
        return <BlockStack gap="0">{items}</BlockStack>;
      }
      if (step.type !== "exit")
        items.push(
          <div key={`add-${step.id}`}>
            {connector}
            {addButton({ from: step.id, path: "next" }, fill(t.addStepAfter, { step: step.id }))}
          </div>,
        );
      current = step.type === "exit" ? null : step.next;
    }
    items.push(
      <Box key="end" paddingBlockStart="100">
        <Text as="p" variant="bodySm" tone="subdued" alignment="center">
          {t.endOfFlow}
        </Text>
      </Box>,
    );
    return <BlockStack gap="0">{items}</BlockStack>;
  }

  const main = sequence(definition.start);
  const unreachable = definition.steps.filter((step) => !placed.has(step.id));
  return (
    // Wide branches scroll sideways inside the card instead of spilling out of it.
    <div style={{ overflowX: "auto", paddingBottom: 4 }}>
      <BlockStack gap="200">
        <Box padding="200" background="bg-surface-secondary" borderRadius="200">
          <Text as="p" fontWeight="semibold">
            {triggerText}
          </Text>
        </Box>
        {connector}
        {addButton({ from: null, path: "start" }, t.addStepAtStart)}
        {connector}
        {main}
        {unreachable.map((step) => (
          <div key={step.id}>{card(step)}</div>
        ))}
      </BlockStack>
    </div>
  );
}
