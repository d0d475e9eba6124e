// Every GraphQL document Stayloop sends to the Admin API outside a request (worker, backfill), in
// one place: the fake Admin API in the tests accepts exactly these, so a typo here fails a test
// instead of a merchant's backfill. Pinned to the API version in admin-client.ts.

/** Starts a bulk query (R-EVT-7). Since 2026-01 `groupObjects` defaults to false; we pass it explicitly. */
export const runBulkQueryMutation = `#graphql
  mutation RunBulkQuery($query: String!, $groupObjects: Boolean!) {
    bulkOperationRunQuery(query: $query, groupObjects: $groupObjects) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Polls one bulk operation by id (`currentBulkOperation` is deprecated since 2026-04). */
export const bulkOperationStatusQuery = `#graphql
  query BulkOperationStatus($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      rootObjectCount
      fileSize
      url
      partialDataUrl
    }
  }
`;

const customerFields = `
  id
  firstName
  lastName
  tags
  createdAt
  updatedAt
  defaultEmailAddress {
    emailAddress
    marketingState
    marketingOptInLevel
    marketingUpdatedAt
  }
  defaultPhoneNumber {
    phoneNumber
    marketingState
    marketingOptInLevel
    marketingUpdatedAt
  }
  defaultAddress {
    countryCodeV2
    provinceCode
  }
`;

const shopMoney = `shopMoney { amount currencyCode }`;

/** Bulk query: every customer of the shop. */
export const customersBulkQuery = `
  query BackfillCustomers {
    customers {
      edges {
        node {
          ${customerFields}
        }
      }
    }
  }
`;

/** Bulk query: every order with its customer and line items (line items arrive as child lines). */
export const ordersBulkQuery = `
  query BackfillOrders {
    orders {
      edges {
        node {
          id
          name
          email
          createdAt
          updatedAt
          processedAt
          cancelledAt
          test
          sourceName
          customerLocale
          displayFinancialStatus
          displayFulfillmentStatus
          subtotalPriceSet { ${shopMoney} }
          totalPriceSet { ${shopMoney} }
          totalDiscountsSet { ${shopMoney} }
          totalTaxSet { ${shopMoney} }
          totalShippingPriceSet { ${shopMoney} }
          customer {
            ${customerFields}
          }
          lineItems {
            edges {
              node {
                id
                title
                variantTitle
                sku
                quantity
                originalUnitPriceSet { ${shopMoney} }
                totalDiscountSet { ${shopMoney} }
                product { id }
                variant { id }
              }
            }
          }
        }
      }
    }
  }
`;

/** Bulk query: every product with its variants (variants arrive as child lines). */
export const productsBulkQuery = `
  query BackfillProducts {
    products {
      edges {
        node {
          id
          title
          handle
          vendor
          productType
          status
          tags
          updatedAt
          featuredMedia {
            preview {
              image {
                url
              }
            }
          }
          variants {
            edges {
              node {
                id
                title
                sku
                price
              }
            }
          }
        }
      }
    }
  }
`;

/** Adds tags to a customer (a member's VIP tier tag, R-LOY-4); adding a tag it has changes nothing. */
export const tagsAddMutation = `#graphql
  mutation AddCustomerTags($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Removes tags from a customer; removing a tag it does not have changes nothing. */
export const tagsRemoveMutation = `#graphql
  mutation RemoveCustomerTags($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/**
 * Creates a code discount for an amount or percentage off (or a product at 100 % off): a redeemed
 * reward or cashback paid as a code (R-LOY-3, R-LOY-5). The code is chosen by Stayloop beforehand.
 */
export const discountCodeBasicCreateMutation = `#graphql
  mutation CreateBasicDiscountCode($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Creates a free-shipping code discount (a redeemed free-shipping reward). */
export const discountCodeFreeShippingCreateMutation = `#graphql
  mutation CreateFreeShippingDiscountCode($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
    discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Finds a code discount by its code: did an attempt whose answer was lost create it after all? */
export const codeDiscountNodeByCodeQuery = `#graphql
  query CodeDiscountByCode($code: String!) {
    codeDiscountNodeByCode(code: $code) {
      id
    }
  }
`;

/** Deletes a code discount (cashback code taken back by a refund before it was used). */
export const discountCodeDeleteMutation = `#graphql
  mutation DeleteDiscountCode($id: ID!) {
    discountCodeDelete(id: $id) {
      deletedCodeDiscountId
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Credits a customer's store credit account (cashback paid as store credit, R-LOY-3). */
export const storeCreditAccountCreditMutation = `#graphql
  mutation CreditStoreCredit($id: ID!, $creditInput: StoreCreditAccountCreditInput!) {
    storeCreditAccountCredit(id: $id, creditInput: $creditInput) {
      storeCreditAccountTransaction {
        id
        amount {
          amount
          currencyCode
        }
        account {
          id
          balance {
            amount
            currencyCode
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/** Debits a customer's store credit account (cashback taken back by a refund). */
export const storeCreditAccountDebitMutation = `#graphql
  mutation DebitStoreCredit($id: ID!, $debitInput: StoreCreditAccountDebitInput!) {
    storeCreditAccountDebit(id: $id, debitInput: $debitInput) {
      storeCreditAccountTransaction {
        id
        amount {
          amount
          currencyCode
        }
        account {
          id
          balance {
            amount
            currencyCode
          }
        }
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

/**
 * The cursor of the last transaction on a customer's store credit account in one currency
 * (`accountQuery` is "currency_code:EUR"): written with a take-back's intent, so a debit whose
 * answer was lost can be looked for among the transactions after it.
 */
export const lastStoreCreditTransactionQuery = `#graphql
  query LastStoreCreditTransaction($customerId: ID!, $accountQuery: String!) {
    customer(id: $customerId) {
      storeCreditAccounts(first: 1, query: $accountQuery) {
        nodes {
          transactions(last: 1) {
            edges {
              cursor
            }
          }
        }
      }
    }
  }
`;

/** The store credit transactions after a cursor, oldest first: did a debit with a lost answer happen? */
export const storeCreditTransactionsAfterQuery = `#graphql
  query StoreCreditTransactionsAfter($customerId: ID!, $accountQuery: String!, $after: String) {
    customer(id: $customerId) {
      storeCreditAccounts(first: 1, query: $accountQuery) {
        nodes {
          transactions(first: 50, after: $after) {
            edges {
              cursor
              node {
                __typename
                event
                amount {
                  amount
                  currencyCode
                }
              }
            }
            pageInfo {
              hasNextPage
            }
          }
        }
      }
    }
  }
`;

/** Records a customer's unsubscribe (link or one-click) in Shopify's e-mail marketing consent. */
export const customerEmailMarketingConsentUpdateMutation = `#graphql
  mutation UpdateEmailMarketingConsent($input: CustomerEmailMarketingConsentUpdateInput!) {
    customerEmailMarketingConsentUpdate(input: $input) {
      customer {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** Records a customer's STOP reply in Shopify's SMS marketing consent. */
export const customerSmsMarketingConsentUpdateMutation = `#graphql
  mutation UpdateSmsMarketingConsent($input: CustomerSmsMarketingConsentUpdateInput!) {
    customerSmsMarketingConsentUpdate(input: $input) {
      customer {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

// The main theme's settings (read_themes): whether the app embed is switched on (onboarding,
// app/shops/onboarding.ts).
export const mainThemeSettingsQuery = `#graphql
  query MainThemeSettings {
    themes(first: 1, roles: [MAIN]) {
      nodes {
        id
        files(filenames: ["config/settings_data.json"], first: 1) {
          nodes {
            filename
            body {
              ... on OnlineStoreThemeFileBodyText {
                content
              }
            }
          }
        }
      }
    }
  }
`;

/** The operations sent as GraphQL requests. */
export const adminOperations = {
  runBulkQueryMutation,
  bulkOperationStatusQuery,
  tagsAddMutation,
  tagsRemoveMutation,
  discountCodeBasicCreateMutation,
  discountCodeFreeShippingCreateMutation,
  codeDiscountNodeByCodeQuery,
  discountCodeDeleteMutation,
  storeCreditAccountCreditMutation,
  storeCreditAccountDebitMutation,
  lastStoreCreditTransactionQuery,
  storeCreditTransactionsAfterQuery,
  customerEmailMarketingConsentUpdateMutation,
  customerSmsMarketingConsentUpdateMutation,
  mainThemeSettingsQuery,
} as const;

/** The queries run as bulk operations (sent as the `query` variable of RunBulkQuery). */
export const bulkQueries = {
  customers: customersBulkQuery,
  orders: ordersBulkQuery,
  products: productsBulkQuery,
} as const;

export type BulkQueryName = keyof typeof bulkQueries;
