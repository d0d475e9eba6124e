// A form's text values with the server's errors placed next to their fields: the admin pages that
// post a form (rewards, messaging settings) keep their values, setters and error lookup here.
import { TextField } from "@shopify/polaris";
import { useState, type ReactElement } from "react";

export interface FieldError {
  field: string;
  message: string;
}

export function useFormFields<F extends Record<string, string>>(initial: F, errors: readonly FieldError[]) {
  const [values, setValues] = useState<F>(initial);
  const set = (name: keyof F & string) => (value: string) =>
    setValues((current) => ({ ...current, [name]: value }));
  const errorFor = (name: string) =>
    errors
      .filter((error) => error.field === name)
      .map((error) => error.message)
      .join("; ") || undefined;
  /** A one-line text field for `name`, submitted under that name. */
  const textField = (name: keyof F & string, label: string, helpText?: string): ReactElement => (
    <TextField
      label={label}
      name={name}
      autoComplete="off"
      value={values[name]}
      onChange={set(name)}
      error={errorFor(name)}
      helpText={helpText}
    />
  );
  return { values, set, errorFor, textField };
}
