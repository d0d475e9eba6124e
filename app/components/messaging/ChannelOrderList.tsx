// The channel order as an ordered list: each channel once, switched on or off, moved up or down.
// What is submitted is the channels switched on, in order, as the field `channelOrder`.
import { BlockStack, Button, Checkbox, InlineStack, Text } from "@shopify/polaris";
import { fill, useMessages } from "../../i18n/catalogue";
import { messagingMessages } from "../../i18n/messages/messaging";
import type { Channel } from "../../messaging/channels";

export interface ChannelChoice {
  channel: Channel;
  used: boolean;
}

export function ChannelOrderList({
  value,
  onChange,
  error,
}: {
  value: ChannelChoice[];
  onChange: (next: ChannelChoice[]) => void;
  error?: string;
}) {
  const words = useMessages(messagingMessages);
  const name = (channel: Channel) => words[`value.${channel}`];
  const move = (index: number, by: -1 | 1) => {
    const next = [...value];
    const [moved] = next.splice(index, 1);
    if (moved) next.splice(index + by, 0, moved);
    onChange(next);
  };
  return (
    <BlockStack gap="200">
      <Text as="h3" variant="headingSm" id="channel-order-heading">
        {words.channelOrder}
      </Text>
      <input
        type="hidden"
        name="channelOrder"
        value={value
          .filter((choice) => choice.used)
          .map((choice) => choice.channel)
          .join(",")}
      />
      <ol aria-labelledby="channel-order-heading" style={{ margin: 0, paddingLeft: 0, listStyle: "none" }}>
        {value.map((choice, index) => (
          <li key={choice.channel} data-testid={`channel-${choice.channel}`}>
            <InlineStack gap="300" blockAlign="center" wrap={false}>
              <div style={{ minWidth: "7rem" }}>
                <Text as="span" fontWeight="semibold">
                  {fill(words.channelPosition, { position: index + 1, channel: name(choice.channel) })}
                </Text>
              </div>
              <Button
                size="slim"
                disabled={index === 0}
                onClick={() => move(index, -1)}
                accessibilityLabel={fill(words.moveUp, { channel: name(choice.channel) })}
              >
                {words.up}
              </Button>
              <Button
                size="slim"
                disabled={index === value.length - 1}
                onClick={() => move(index, 1)}
                accessibilityLabel={fill(words.moveDown, { channel: name(choice.channel) })}
              >
                {words.down}
              </Button>
              <Checkbox
                label={fill(words.useChannel, { channel: name(choice.channel) })}
                checked={choice.used}
                onChange={(used) =>
                  onChange(
                    value.map((other) => (other.channel === choice.channel ? { ...other, used } : other)),
                  )
                }
              />
            </InlineStack>
          </li>
        ))}
      </ol>
      <Text as="p" variant="bodySm" tone="subdued">
        {words.channelOrderHelp}
      </Text>
      {error ? (
        <Text as="p" tone="critical">
          {error}
        </Text>
      ) : null}
    </BlockStack>
  );
}
