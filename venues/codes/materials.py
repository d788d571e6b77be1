"""The information materials owners download (R-VN-8): the participant's guide and the
rules of participation, once, for the pages and for their PDFs.

A faithful summary of the official guide and FAQ of the project (seeds/000, in
Russian), restated with the numbers docs/rules.md settles. English message ids, like every
string of the interface; the catalogues give the Russian and Kazakh text.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from venues.codes.rendering import Section


@dataclass(frozen=True)
class Document:
    slug: str
    title: str
    lead: str
    sections: tuple[Section, ...]
    footer: str = ""


def _section(heading, *paragraphs, items=()) -> Section:
    return Section(heading=heading, paragraphs=tuple(paragraphs), items=tuple(items))


GUIDE = Document(
    slug="guide",
    title=_("Ashyq: the participant's guide"),
    lead=_(
        "Ashyq lets a business check, at the door, that a visitor is not registered as a COVID-19 case or a close "
        "contact. Every entrance of a participating venue has its QR codes; a visitor scans one with a phone, or the "
        "venue's guard enters the visitor's IIN, and the door sees a colour computed from the health registries. "
        "Participation is voluntary and free, for businesses and for citizens."
    ),
    sections=(
        _section(
            _("How to join"),
            _("A business owner applies for one venue at a time:"),
            items=(
                _("Sign in as a business owner and open a new application."),
                _(
                    "Enter the company's BIN (checked in the business registry), the venue's name, address, region "
                    "and activity category, the OKED code, the number and date of the sanitary notification, the "
                    "capacity in persons, the names of the entrances and the phone number the venue uses."
                ),
                _(
                    "Confirm that the venue holds the documents that allow it to work, that you are responsible for "
                    "the data entered, and that you accept the user agreement; send the application."
                ),
                _(
                    "The checks run at once. If they pass, the application is approved and the QR codes are issued "
                    "immediately; if not, every failed check is listed with what to do."
                ),
                _("Download and read these information materials."),
                _("Download the QR codes, print the posters and put them up at every entrance."),
            ),
        ),
        _section(
            _("What is checked"),
            _(
                "The BIN must exist in the business registry. The sanitary notification must exist, belong to the "
                "same BIN and match the venue's address. The OKED code must be among the company's registered codes "
                "and must match the category: a fitness centre registered under a grocery shop's OKED is refused "
                "until the legal entity is re-registered. The category must be admitted to the project in the "
                "venue's region on the day of the application, and the venue must not be excluded."
            ),
            _(
                "No sanitary notification yet? File a notification of the start of an activity of low "
                "epidemiological risk on the e-licensing portal, signed with the company's digital signature, and "
                "keep its number and date: the application needs them. Notifications already filed are listed "
                "there under “my notifications”."
            ),
        ),
        _section(
            _("QR codes"),
            _(
                "Each entrance gets two codes: one for entry and one for exit, so a venue has at least two. A code is "
                "a short web address with a signature: a copied, altered or home-made code is refused. Download "
                "each code as an image or as a printable A4 poster with the venue's name, address and entrance."
            ),
            _(
                "Codes can be re-issued from the venue page, for instance when a poster was damaged or copied. The "
                "old codes stop working at once: replace every printed poster."
            ),
        ),
        _section(
            _("Test mode"),
            _(
                "For 7 days from the first issue of its QR codes a venue works in test mode: it sets up its "
                "processes and trains its staff. It has every benefit of a participant, and a violation found by "
                "a monitoring group during these days is only a warning. Re-issuing the codes does not restart "
                "test mode."
            ),
            _(
                "When test mode ends, the venue appears on its region's public list of participants. Volunteers "
                "appear on it too, marked as volunteers."
            ),
        ),
        _section(
            _("Guard mode"),
            _(
                "Guard mode lets an employee check visitors who have no smartphone, foreigners, and everyone when "
                "the network or the SMS gateway fails. On the venue page, enable guard mode with the phone number "
                "the venue uses (not an employee's personal number). The guard signs in with that phone and a "
                "one-time code sent by SMS, and sees the guard page of this venue only."
            ),
            _(
                "With the visitor's consent, the guard enters the IIN (for a foreigner, the passport number and "
                "country). The page shows the colour and nothing else about the person, and records the check-in."
            ),
        ),
        _section(
            _("Statuses at the door"),
            items=(
                _("Red: a positive PCR test; home isolation for 14 days. Do not admit."),
                _("Yellow: a close contact of a case; quarantine for 14 days. Do not admit."),
                _("Green: a negative PCR test within the last 72 hours, or fully vaccinated."),
                _("Blue: neutral, no PCR result on record and not a contact; no restriction on visits."),
            ),
        ),
        _section(
            _("A red or yellow visitor"),
            _(
                "Take the usual precautions. Lead the visitor to the waiting zone or do not admit him. A report "
                "goes to the region's sanitary-epidemiological unit automatically, with the venue, the time and "
                "the colour but no name. A receptionist who spoke briefly with such a visitor is not a contact."
            ),
        ),
        _section(
            _("Exit"),
            _(
                "Scanning the exit code is optional since the decree of 13 April 2021. A visit without an exit "
                "scan is closed automatically after 4 hours. Exit scans help count how many people are inside, "
                "which the guard page compares with the allowed occupancy."
            ),
        ),
        _section(
            _("Exclusion from the project"),
            _("A venue can be excluded when:"),
            items=(
                _("a monitoring group finds and confirms a violation of the conditions of participation;"),
                _("the venue records no check-in for more than 3 days (days of a recorded outage do not count)."),
            ),
        ),
        _section(
            "",
            _(
                "After test mode, a first exclusion lasts 2 weeks and each later one 2 months. An excluded venue's "
                "QR codes stop working, it leaves the public list, loses its benefits and cannot be a leader. The "
                "owner can appeal a sanction to the akimat. Complaints about unlawful actions of monitoring groups: "
                "the call centre of the Prosecutor General's Office, 115 (free of charge)."
            ),
        ),
        _section(
            _("Leader Ashyq"),
            _(
                "Over two weeks, a venue becomes a candidate for the status “Leader Ashyq” if it records "
                "more check-ins than:"
            ),
            items=(
                _(
                    "catering, karaoke, computer and lottery clubs, sports events, saunas, fitness centres, "
                    "swimming pools, theatres, philharmonics, concert halls, cinemas, exhibitions, tourist "
                    "transport, oceanarium, children's entertainment centres, circuses: 2,000 in Nur-Sultan, "
                    "Almaty and Shymkent, 1,000 in an oblast;"
                ),
                _(
                    "billiard and bowling clubs, SPA centres, rehearsal studios, hotels: 1,000 in the three cities, "
                    "500 in an oblast."
                ),
            ),
        ),
        _section(
            "",
            _(
                "The akimat reviews its region's list and the interagency commission fixes it by a decision; the "
                "status lasts 2 weeks and the list is published. A leader in a red zone works under the yellow "
                "zone's conditions, in a yellow zone under the green zone's, and in a green zone with 2 more "
                "working hours and 10 % more occupancy. Volunteers and venues excluded during the period are never "
                "candidates."
            ),
        ),
        _section(
            _("Volunteers"),
            _(
                "Banks, universities, industrial plants, private clinics, state bodies and other organisations "
                "allowed to work may join as volunteers. They check their visitors the same way but get no "
                "benefits and are never leaders."
            ),
        ),
        _section(
            _("Personal data"),
            _(
                "Ashyq does not track anybody's location: a check-in records the venue, the entrance, the time and "
                "the visitor's identifier in a protected form, and identifiers are erased after 28 days. A guard "
                "sees a colour, never a name or test results."
            ),
        ),
    ),
    footer=_("Ashyq. This guide summarises the official guide and questions and answers of the project."),
)


RULES = Document(
    slug="rules",
    title=_("Ashyq: rules of participation"),
    lead=_(
        "By applying, the business owner accepts these rules for each of its participating venues. Participation "
        "is voluntary; the owner takes on the duty to check the status of every visitor."
    ),
    sections=(
        _section(
            _("The application"),
            items=(
                _("Apply for each venue separately, with true data; the company is responsible for what it enters."),
                _("Hold the documents that allow the venue to work, including the sanitary notification."),
                _("Register the OKED code that matches the venue's real activity; otherwise the venue is refused."),
            ),
        ),
        _section(
            _("At the entrance"),
            items=(
                _("Put up the entry and exit posters at every entrance, readable and undamaged."),
                _("After a re-issue, replace every poster at once: the old codes no longer work."),
                _(
                    "Admit a visitor only after his status is checked: by his scan of the code, or by the guard's "
                    "entry of his IIN or passport number, with his consent."
                ),
                _("Do not admit a visitor with a red or yellow status: lead him to the waiting zone or refuse entry."),
                _("Keep to the working hours and the occupancy allowed to participants in your region's zone."),
            ),
        ),
        _section(
            _("Guard mode"),
            items=(
                _("Enable guard mode only with a phone number the venue itself uses."),
                _("Disable it, or name another phone, as soon as that phone leaves the venue's hands."),
                _("A guard enters an IIN only with the visitor's consent and keeps no copy of it."),
            ),
        ),
        _section(
            _("Activity"),
            items=(
                _("Record check-ins every working day: more than 3 days without any check-in leads to a sanction."),
                _("Report an outage of the system or of the SMS to the operator; days of an outage are not counted."),
            ),
        ),
        _section(
            _("Sanctions"),
            items=(
                _("During the 7 days of test mode, a confirmed violation is a warning."),
                _("After test mode, the first confirmed violation excludes the venue for 2 weeks."),
                _("Each later one excludes it for 2 months."),
                _("An excluded venue's codes stop working; it leaves the public list and loses its benefits."),
                _("The owner may appeal a sanction; the akimat upholds or cancels it."),
            ),
        ),
    ),
    footer=_("Ashyq. These rules summarise the decrees of the Chief State Sanitary Doctor on the project."),
)

# R-VN-1: the agreement an owner accepts with every application. Ours: what the owner and
# the project each undertake, in plain words; it restates the rules above and the law on
# personal data, and adds nothing the rules do not say.
AGREEMENT = Document(
    slug="agreement",
    title=_("Ashyq: the user agreement of a business"),
    lead=_(
        "By ticking “I accept the user agreement of Ashyq” in an application, the company (its owner's account) "
        "agrees to the terms below for every venue it applies for. Participation is voluntary and free; the "
        "company may stop at any time by taking its QR codes down."
    ),
    sections=(
        _section(
            _("The company undertakes"),
            items=(
                _(
                    "To give true data in each application and to keep them true: the venue, its address, category, "
                    "capacity, entrances and phone."
                ),
                _(
                    "To put up the QR codes of each entrance, to replace them when they are re-issued, and to use "
                    "no copy or home-made code."
                ),
                _(
                    "To check every visitor's status at the door, not to admit a visitor with a red or yellow status, "
                    "and to keep to the working hours and occupancy allowed in its region's zone."
                ),
                _(
                    "To enable guard mode only with a phone the venue itself uses, and to let a guard enter a "
                    "visitor's IIN only with his consent."
                ),
                _(
                    "To keep no copy of a visitor's IIN, passport number or status, on paper or elsewhere, and to "
                    "use what the guard page shows only to admit or not admit that visitor."
                ),
            ),
        ),
        _section(
            _("Ashyq undertakes"),
            items=(
                _("To show at the door the colour of a visitor's status and its validity, and nothing else about him."),
                _(
                    "To keep visitors' identifiers encrypted, to erase them from check-ins after 28 days, and to "
                    "give the company only anonymous counts of its own venues."
                ),
                _(
                    "To publish the venue's name, address and category on its region's list of participants once "
                    "its test mode is over."
                ),
                _("To decide on each application at once and to say every reason of a refusal."),
            ),
        ),
        _section(
            _("Checks and sanctions"),
            _(
                "Monitoring groups of the region check participating venues. Violations and more than three days "
                "without any check-in lead to the sanctions of the rules of participation: a warning in test mode, "
                "then exclusion for 2 weeks, then for 2 months. The company may appeal every sanction to the akimat."
            ),
        ),
        _section(
            _("Personal data"),
            _(
                "The company and Ashyq process personal data only as the Law of the Republic of Kazakhstan “On "
                "personal data and their protection” allows, and only to check statuses at the door. Each visitor "
                "sees in his own account every check of his status and every check-in."
            ),
        ),
    ),
    footer=_("Ashyq. Questions about this agreement: the project's support."),
)

DOCUMENTS = {document.slug: document for document in (GUIDE, RULES, AGREEMENT)}
