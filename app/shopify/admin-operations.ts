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

/** The operations sent as GraphQL requests. */
export const adminOperations = { runBulkQueryMutation, bulkOperationStatusQuery } as const;

/** The queries run as bulk operations (sent as the `query` variable of RunBulkQuery). */
export const bulkQueries = {
  customers: customersBulkQuery,
  orders: ordersBulkQuery,
  products: productsBulkQuery,
} as const;

export type BulkQueryName = keyof typeof bulkQueries;
