// The onboarding checklist on Home: each step detected from the shop's state (app/shops/onboarding.ts)
// with a button that takes the merchant where it is done. Not shown once every step is done.
import { Badge, BlockStack, Box, Button, Card, InlineStack, ProgressBar, Text } from "@shopify/polaris";
import { fill, useMessages } from "../../i18n/catalogue";
import { homeMessages } from "../../i18n/messages/home";
import type { OnboardingStatus, OnboardingStep } from "../../shops/onboarding";

type Words = ReturnType<typeof useMessages<keyof typeof homeMessages.en>>;

function stepView(step: OnboardingStep, words: Words, themeEditorUrl: string) {
  switch (step) {
    case "themeEmbed":
      return {
        title: words.themeEmbedTitle,
        body: words.themeEmbedBody,
        action: words.themeEmbedAction,
        url: themeEditorUrl,
        external: true,
      };
    case "sender":
      return {
        title: words.senderTitle,
        body: words.senderBody,
        action: words.senderAction,
        url: "/app/messaging",
      };
    case "firstFlow":
      return {
        title: words.firstFlowTitle,
        body: words.firstFlowBody,
        action: words.firstFlowAction,
        url: "/app/flows",
      };
    case "loyalty":
      return {
        title: words.loyaltyTitle,
        body: words.loyaltyBody,
        action: words.loyaltyAction,
        url: "/app/loyalty",
      };
  }
}

export function Onboarding({ status }: { status: OnboardingStatus & { themeEditorUrl: string } }) {
  const words = useMessages(homeMessages);
  if (status.complete) return null;
  const done = status.steps.filter((step) => step.done).length;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {words.onboardingTitle}
        </Text>
        <Text as="p" tone="subdued">
          {fill(words.onboardingProgress, { done, total: status.steps.length })}
        </Text>
        <ProgressBar progress={(done / status.steps.length) * 100} size="small" tone="primary" />
        <ol style={{ margin: 0, paddingLeft: 0, listStyle: "none" }} data-testid="onboarding">
          {status.steps.map(({ step, done: stepDone }) => {
            const view = stepView(step, words, status.themeEditorUrl);
            return (
              <li key={step} data-testid={`onboarding-${step}`} data-done={stepDone ? "true" : "false"}>
                <Box paddingBlock="200">
                  <InlineStack align="space-between" blockAlign="center" gap="300">
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="h3" variant="headingSm">
                          {view.title}
                        </Text>
                        <Badge tone={stepDone ? "success" : undefined}>
                          {stepDone ? words.onboardingDone : words.onboardingToDo}
                        </Badge>
                      </InlineStack>
                      <Text as="p" tone="subdued">
                        {view.body}
                      </Text>
                      {step === "themeEmbed" && !stepDone && status.themeUnknown ? (
                        <Text as="p" tone="caution">
                          {words.themeUnknown}
                        </Text>
                      ) : null}
                    </BlockStack>
                    {stepDone ? null : (
                      <Button
                        url={view.url}
                        {...("external" in view ? { target: "_top" as const } : {})}
                        variant={
                          step === status.steps.find((candidate) => !candidate.done)?.step
                            ? "primary"
                            : undefined
                        }
                      >
                        {view.action}
                      </Button>
                    )}
                  </InlineStack>
                </Box>
              </li>
            );
          })}
        </ol>
      </BlockStack>
    </Card>
  );
}
