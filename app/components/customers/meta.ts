// The customers pages' document titles, in the admin's language (the app layout's loader data).
import type { MetaFunction } from "@remix-run/node";
import { messagesFor } from "../../i18n/catalogue";
import { adminLocaleOf } from "../../i18n/locale";
import { customersMessages, type CustomersWords } from "../../i18n/messages/customers";

export function customersTitle(key: keyof CustomersWords): MetaFunction {
  return ({ matches }) => {
    const layout = matches.find((match) => match.id === "routes/app")?.data as
      { locale?: string } | undefined;
    const words = messagesFor(customersMessages, adminLocaleOf(layout?.locale));
    return [{ title: `${words[key]} · Stayloop` }];
  };
}
