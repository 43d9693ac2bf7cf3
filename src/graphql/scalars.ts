import {
  DateTimeResolver,
  EmailAddressResolver,
  NonNegativeIntResolver,
  PositiveIntResolver,
  TimeZoneResolver,
  URLResolver,
  UUIDResolver,
} from "graphql-scalars";

/** Scalars from graphql-scalars, re-exported under the names the schema uses. */
export {
  DateTimeResolver as DateTime,
  EmailAddressResolver as EmailAddress,
  NonNegativeIntResolver as NonNegativeInt,
  PositiveIntResolver as PositiveInt,
  TimeZoneResolver as TimeZone,
  URLResolver as URL,
  UUIDResolver as UUID,
};
