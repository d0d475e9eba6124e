// The customers pages' error boundary: a customer, run or segment that is not the shop's is "not
// found" (404) in the admin's words; anything else is shown by status.
import { isRouteErrorResponse, useRouteError } from "@remix-run/react";
import { Banner, Page } from "@shopify/polaris";
import { useMessages } from "../../i18n/catalogue";
import { customersMessages } from "../../i18n/messages/customers";

export function NotFoundBoundary() {
  const error = useRouteError();
  const words = useMessages(customersMessages);
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const detail = isRouteErrorResponse(error) ? String(error.data) : "";
  return (
    <Page title={words.customersTitle} backAction={{ content: words.backToCustomers, url: "/app/customers" }}>
      <Banner
        tone={status === 404 ? "warning" : "critical"}
        title={status === 404 ? words.notFound : words.failed}
      >
        {detail}
      </Banner>
    </Page>
  );
}
