"""The permissions of Polity. The rulebook says which office or staff role carries which of them."""

from enum import StrEnum


class Perm(StrEnum):
    UNITS_VIEW = "units.view"
    MEMBERS_VIEW = "members.view"
    MEMBERS_VIEW_CONTACT = "members.view_contact"
    MEMBERS_VIEW_SECTIONS = "members.view_sections"
    MEMBERS_EDIT = "members.edit"
    MEMBERS_IMPORT = "members.import"
    MEMBERS_TRANSFER = "members.transfer"
    OFFICES_VIEW = "offices.view"
    OFFICES_MANAGE = "offices.manage"
    GRANTS_MANAGE = "grants.manage"
    ACCESS_RESTRICT = "access.restrict"
    AUDIT_VIEW = "audit.view"
    DEADLINES_VIEW = "deadlines.view"
    CASES_HANDLE = "cases.handle"
    CASES_DECIDE = "cases.decide"
    MESSAGES_SEND = "messages.send"
    MESSAGES_APPROVE = "messages.approve"
    STATISTICS_PUBLISH = "statistics.publish"
    SELECTIONS_MANAGE = "selections.manage"
    SELECTIONS_SHORTLIST = "selections.shortlist"
    ELECTIONS_MANAGE = "elections.manage"
    ELECTIONS_RETURN = "elections.return"
    MEETINGS_MANAGE = "meetings.manage"
    DSR_HANDLE = "dsr.handle"
    EXPORTS_MAKE = "exports.make"
    EXPORTS_APPROVE = "exports.approve"
    EXPORTS_ATTRIBUTE = "exports.attribute"


DESCRIPTIONS: dict[Perm, str] = {
    Perm.UNITS_VIEW: "See the units, bodies and offices in scope.",
    Perm.MEMBERS_VIEW: "List members in scope and open their records (names, status, payments; no contact details).",
    Perm.MEMBERS_VIEW_CONTACT: "See members' email, phone and address in scope (rare: an export grant or membership office).",
    Perm.MEMBERS_VIEW_SECTIONS: "See which sections (women, BAME, disabled, LGBT+, young...) members in scope "
    "belong to: special-category data, each reading recorded in the access log.",
    Perm.MEMBERS_EDIT: "Record joins, renewals and payments, admit applicants, and record a resignation a member sent "
    "(with the letter) in scope.",
    Perm.MEMBERS_IMPORT: "Import members from a CSV file into units in scope.",
    Perm.MEMBERS_TRANSFER: "Transfer a member between branches in scope.",
    Perm.OFFICES_VIEW: "See who holds which office in scope.",
    Perm.OFFICES_MANAGE: "Appoint office holders in scope (eligibility checked) and record the appointing body's "
    "decision ending a term; removal against the holder's will is a case outcome.",
    Perm.GRANTS_MANAGE: "Give and revoke explicit access grants in scope (revoking needs a reason).",
    Perm.ACCESS_RESTRICT: "Temporarily restrict an officer's or a unit's access to personal data in scope, "
    "with reasons and a review date; review, renew or lift it.",
    Perm.AUDIT_VIEW: "Read the access log of members in scope and check the log's integrity.",
    Perm.DEADLINES_VIEW: "See the deadlines of units in scope, and those missed below and escalated to them.",
    Perm.CASES_HANDLE: "Run complaints, disciplinary cases and objections in scope: the case team's queue and files "
    "(never a case in which one is a party).",
    Perm.CASES_DECIDE: "Sit on decision and appeal panels of cases in scope, when appointed and without a stake.",
    Perm.MESSAGES_SEND: "Build audiences of members in scope (counts only, never addresses) and write and send "
    "messages to them; record meetings whose notices go out.",
    Perm.MESSAGES_APPROVE: "Approve or refuse messages that wait for approval by a unit in scope (large campaigning "
    "or fundraising sends, after escalation too); never one's own.",
    Perm.STATISTICS_PUBLISH: "Publish the frozen quarterly report of a unit in scope, and corrections to it (a new "
    "version stating the difference and why).",
    Perm.SELECTIONS_MANAGE: "Run candidate selections in scope: open one, close applications, appoint the shortlisting "
    "panel and the appeal panel, record declared relationships and a body's decision changing a shortlist.",
    Perm.SELECTIONS_SHORTLIST: "Sit on shortlisting and appeal panels of selections in scope, when appointed and "
    "neither an applicant nor conflicted: read applications, decide longlists, shortlists and appeals.",
    Perm.ELECTIONS_MANAGE: "Call elections of units in scope and name their returning officer (never run them).",
    Perm.ELECTIONS_RETURN: "Act as the returning officer of an election in scope when named for it and independent "
    "of its candidates: freeze the roll, validate nominations, open and close the poll, count, publish.",
    Perm.MEETINGS_MANAGE: "Run the meetings of bodies in scope: call them, send their notice, record attendance, "
    "business, votes and minutes; appoint delegates and co-opted members; acknowledge and answer motions sent "
    "to the unit's bodies.",
    Perm.DSR_HANDLE: "Handle data subject requests: enter them, run their clock, review and send the access "
    "package with its redactions, erase, rectify, restrict; the whole register.",
    Perm.EXPORTS_MAKE: "Export a list of members in scope for a rulebook purpose, with only that purpose's columns "
    "(consent checked; a large export waits for approval); download it, alone, until it expires.",
    Perm.EXPORTS_APPROVE: "Approve or refuse exports above the rulebook's size that wait for a unit in scope; never one's "
    "own.",
    Perm.EXPORTS_ATTRIBUTE: "Trace a leaked list to the export(s) it came from (decoys and matching), see the members "
    "affected, and run the breach report's clock.",
}


# Permissions that open or use personal data: a restriction of access withholds these, and only these.
# Writing to members (messages.send) is among them: a restricted unit's governance notices go out through
# the region instead (polity.comms.continuity), without its officers reaching the register.
PERSONAL_DATA: frozenset[Perm] = frozenset(
    {
        Perm.MESSAGES_SEND,
        Perm.MEMBERS_VIEW,
        Perm.MEMBERS_VIEW_CONTACT,
        Perm.MEMBERS_EDIT,
        Perm.MEMBERS_IMPORT,
        Perm.MEMBERS_TRANSFER,
        Perm.AUDIT_VIEW,
        Perm.DSR_HANDLE,
        Perm.EXPORTS_MAKE,
        Perm.EXPORTS_ATTRIBUTE,
    }
)
