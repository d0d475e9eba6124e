// The WhatsApp rate table as rows of country calling code, category and price in the table's
// currency, with rows added and removed. Submitted as repeated fields (rateCallingCode,
// rateCategory, ratePrice) and rateCurrency; the server validates the whole table.
import { BlockStack, Button, InlineGrid, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { fill, useMessages } from "../../i18n/catalogue";
import { messagingMessages } from "../../i18n/messages/messaging";
import { rateCategories, type RateRows } from "../../messaging/whatsapp-rate-rows";

export function RateTableEditor({
  value,
  onChange,
  error,
}: {
  value: RateRows;
  onChange: (next: RateRows) => void;
  error?: string;
}) {
  const words = useMessages(messagingMessages);
  const setRow = (index: number, change: Partial<RateRows["rows"][number]>) =>
    onChange({
      ...value,
      rows: value.rows.map((row, position) => (position === index ? { ...row, ...change } : row)),
    });
  const categoryOptions = rateCategories.map((category) => ({
    label: words[`value.${category}`],
    value: category,
  }));
  const currency = value.currency.trim().toUpperCase() || "—";
  return (
    <BlockStack gap="300">
      <Text as="h3" variant="headingSm">
        {words.rateTable}
      </Text>
      <Text as="p" variant="bodySm" tone="subdued">
        {words.rateTableHelp}
      </Text>
      <div style={{ maxWidth: "12rem" }}>
        <TextField
          label={words.rateCurrency}
          name="rateCurrency"
          autoComplete="off"
          maxLength={3}
          value={value.currency}
          onChange={(next) => onChange({ ...value, currency: next })}
        />
      </div>
      {value.rows.length === 0 ? (
        <Text as="p" tone="subdued">
          {words.noRates}
        </Text>
      ) : null}
      {value.rows.map((row, index) => (
        <InlineGrid key={index} columns="1fr 2fr 1.2fr auto" gap="300" alignItems="end">
          <TextField
            label={fill(words.callingCodeRow, { row: index + 1 })}
            labelHidden={index > 0}
            name="rateCallingCode"
            autoComplete="off"
            prefix="+"
            placeholder={words.fallbackPlaceholder}
            value={row.callingCode}
            onChange={(callingCode) => setRow(index, { callingCode })}
          />
          <Select
            label={fill(words.categoryRow, { row: index + 1 })}
            labelHidden={index > 0}
            name="rateCategory"
            options={categoryOptions}
            value={row.category}
            onChange={(category) => setRow(index, { category })}
          />
          <TextField
            label={fill(words.priceRow, { currency, row: index + 1 })}
            labelHidden={index > 0}
            name="ratePrice"
            autoComplete="off"
            inputMode="decimal"
            suffix={currency}
            value={row.price}
            onChange={(price) => setRow(index, { price })}
          />
          <Button
            variant="plain"
            tone="critical"
            accessibilityLabel={fill(words.removeRate, { row: index + 1 })}
            onClick={() =>
              onChange({ ...value, rows: value.rows.filter((_, position) => position !== index) })
            }
          >
            {words.remove}
          </Button>
        </InlineGrid>
      ))}
      <InlineStack>
        <Button
          onClick={() =>
            onChange({
              ...value,
              rows: [...value.rows, { callingCode: "", category: "marketing", price: "" }],
            })
          }
        >
          {words.addRate}
        </Button>
      </InlineStack>
      {error ? (
        <Text as="p" tone="critical">
          {error}
        </Text>
      ) : null}
    </BlockStack>
  );
}
