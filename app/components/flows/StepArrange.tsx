// Reshaping a flow in the editor (R-ADM-2), form-based: the "Add a step" dialog (the type, inserted
// with sensible settings into the place the merchant chose on the canvas) and the selected step's
// Move up / Move down / Remove, where removing a condition or split asks which branch the flow
// continues with (the steps only reached through the others go too, and the dialog names them).
// The graph edits themselves are app/flows/definition-edits.ts; nothing here is saved until Save.
import { BlockStack, Button, Card, ChoiceList, InlineStack, Modal, Select, Text } from "@shopify/polaris";
import { useState } from "react";
import type { FlowDefinition, FlowStep } from "../../flows/definition";
import {
  addableStepTypes,
  canMoveStep,
  insertStep,
  moveStep,
  removalChoices,
  removeStep,
  slotTarget,
  type AddableStepType,
  type LinkSlot,
} from "../../flows/definition-edits";
import { fill, useAdminLocale, useMessages } from "../../i18n/catalogue";
import { flowsMessages } from "../../i18n/messages/flows";
import { newStepWords } from "./steps";

export function AddStepModal({
  adding,
  definition,
  onClose,
  onAdded,
}: {
  adding: { slot: LinkSlot; label: string } | null;
  definition: FlowDefinition;
  onClose: () => void;
  onAdded: (definition: FlowDefinition, id: string) => void;
}) {
  const t = useMessages(flowsMessages);
  const locale = useAdminLocale();
  const [type, setType] = useState<AddableStepType>("wait");
  const names: Record<AddableStepType, string> = {
    wait: t.typeWait,
    send: t.typeSend,
    condition: t.typeCondition,
    split: t.typeSplit,
    discount: t.typeDiscount,
    points: t.typePoints,
  };
  const add = () => {
    if (!adding) return;
    const added = insertStep(definition, adding.slot, type, newStepWords(locale));
    onAdded(added.definition, added.id);
  };
  return (
    <Modal
      open={adding !== null}
      onClose={onClose}
      title={t.addStepTitle}
      primaryAction={{ content: t.addStep, onAction: add }}
      secondaryActions={[{ content: t.cancel, onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="300">
          <Text as="p" fontWeight="medium">
            {adding?.label}
          </Text>
          <Select
            id="add-step-type"
            label={t.stepType}
            value={type}
            options={addableStepTypes.map((value) => ({ value, label: names[value] }))}
            onChange={(value) => setType(value as AddableStepType)}
          />
          <Text as="p" tone="subdued">
            {t.addStepHelp}
          </Text>
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}

export function StepArrange({
  step,
  definition,
  onChange,
}: {
  step: FlowStep;
  definition: FlowDefinition;
  /** The reshaped definition and the step to select in it. */
  onChange: (definition: FlowDefinition, select: string | null) => void;
}) {
  const t = useMessages(flowsMessages);
  const [removing, setRemoving] = useState(false);
  const fork = step.type === "condition" || step.type === "split";
  const choices = removalChoices(step);
  const [keep, setKeep] = useState<string>(fork ? (choices[0] ?? "none") : "next");
  const keepPath = keep === "none" ? null : keep;
  const result = removeStep(definition, step.id, keepPath);
  const onlyStep = !fork && result === null;
  const alsoRemoved = result?.removed.filter((id) => id !== step.id) ?? [];

  const choiceLabel = (path: string) => {
    if (path === "yes") return t.keepYes;
    if (path === "no") return t.keepNo;
    const index = Number(/^variants\.(\d+)\.next$/.exec(path)?.[1]);
    const variant = step.type === "split" ? step.variants[index]?.id : undefined;
    return fill(t.keepVariant, { variant: variant ?? path });
  };
  const remove = () => {
    if (!result) return;
    const continuesAt =
      keepPath !== null && choices.includes(keepPath)
        ? slotTarget(definition, { from: step.id, path: keepPath })
        : null;
    const select =
      continuesAt && result.definition.steps.some((other) => other.id === continuesAt)
        ? continuesAt
        : result.definition.start;
    setRemoving(false);
    onChange(result.definition, select);
  };

  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm">
          {t.arrange}
        </Text>
        <InlineStack gap="200">
          <Button
            disabled={!canMoveStep(definition, step.id, "up")}
            onClick={() => onChange(moveStep(definition, step.id, "up"), step.id)}
          >
            {t.moveStepUp}
          </Button>
          <Button
            disabled={!canMoveStep(definition, step.id, "down")}
            onClick={() => onChange(moveStep(definition, step.id, "down"), step.id)}
          >
            {t.moveStepDown}
          </Button>
          <Button tone="critical" disabled={onlyStep} onClick={() => setRemoving(true)}>
            {t.removeStep}
          </Button>
        </InlineStack>
        {onlyStep ? (
          <Text as="p" tone="subdued">
            {t.removeOnlyStep}
          </Text>
        ) : null}
      </BlockStack>
      <Modal
        open={removing}
        onClose={() => setRemoving(false)}
        title={fill(t.removeTitle, { step: step.id })}
        primaryAction={{ content: t.removeConfirm, destructive: true, disabled: !result, onAction: remove }}
        secondaryActions={[{ content: t.cancel, onAction: () => setRemoving(false) }]}
      >
        <Modal.Section>
          <BlockStack gap="300">
            <Text as="p">{fork ? t.removeBranchHelp : t.removePlainHelp}</Text>
            {fork ? (
              <ChoiceList
                title={t.removeKeep}
                selected={[keep]}
                onChange={([value]) => setKeep(value ?? "none")}
                choices={[
                  ...choices.map((path) => ({ value: path, label: choiceLabel(path) })),
                  { value: "none", label: t.keepNothing },
                ]}
              />
            ) : null}
            {!result ? (
              <Text as="p" tone="critical">
                {t.removeEmpties}
              </Text>
            ) : null}
            {alsoRemoved.length > 0 ? (
              <Text as="p" tone="caution">
                {fill(t.removeAlsoRemoves, { steps: alsoRemoved.join(", ") })}
              </Text>
            ) : null}
          </BlockStack>
        </Modal.Section>
      </Modal>
    </Card>
  );
}
