/** Namespaces (RFC 4918 DAV:, RFC 4791 CalDAV, Apple iCal and CalendarServer extensions). */
export const NS = {
  DAV: "DAV:",
  CALDAV: "urn:ietf:params:xml:ns:caldav",
  CS: "http://calendarserver.org/ns/",
  ICAL: "http://apple.com/ns/ical/",
} as const;

/** Clark notation "{ns}local", used as the key of every parsed property. */
export const clark = (ns: string, local: string): string => `{${ns}}${local}`;

export const P = {
  resourcetype: clark(NS.DAV, "resourcetype"),
  displayname: clark(NS.DAV, "displayname"),
  getetag: clark(NS.DAV, "getetag"),
  syncToken: clark(NS.DAV, "sync-token"),
  currentUserPrincipal: clark(NS.DAV, "current-user-principal"),
  calendarHomeSet: clark(NS.CALDAV, "calendar-home-set"),
  calendarUserAddressSet: clark(NS.CALDAV, "calendar-user-address-set"),
  calendarDescription: clark(NS.CALDAV, "calendar-description"),
  supportedComponents: clark(NS.CALDAV, "supported-calendar-component-set"),
  calendarData: clark(NS.CALDAV, "calendar-data"),
  calendarColor: clark(NS.ICAL, "calendar-color"),
  getctag: clark(NS.CS, "getctag"),
} as const;
