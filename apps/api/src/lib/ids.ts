const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** True for a UUID. Ids that are not UUIDs cannot exist: callers answer 404 without a query. */
export const isUuid = (value: string) => UUID.test(value)
