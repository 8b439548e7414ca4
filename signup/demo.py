"""Demo data from the article: the KI4U workshop in Bottrop (and last year's, with its
figures for the funders), a primary-school project day, a full workshop with a waiting list
and a closed one. Loading twice changes nothing."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .database import begin_write
from .registrations import services
from .registrations.models import Channel, ConsentChannel, ConsentPurpose, Registration
from .registrations.stats import ReportCount
from .staff.models import Membership, Organisation, Role, StaffUser
from .workshops.models import OptionalField, Workshop, WorkshopDate, WorkshopStatus, WorkshopText

DEMO_EMAIL = "organiser@demo.signup.example"
DEMO_PASSWORD = "mint-demo-2026"  # noqa: S105 - printed on purpose; demo data only


@dataclass
class DemoLogin:
    email: str
    password: str

#: Where KI4U takes place, this year and last.
KI4U_PLACE = ("Hochschule Ruhr West, Campus Bottrop", "Lützowstraße 5\n46236 Bottrop")


def load_demo(session: Session, today: date | None = None) -> DemoLogin:
    """Create whatever of the demo data is missing; return the staff login."""
    begin_write(session)
    today = today or date.today()
    zdi = _organisation(
        session,
        "zdi-bottrop",
        "zdi-Zentrum Bottrop",
        "zdi",
        address="Lützowstraße 5\n46236 Bottrop",
        email="datenschutz@zdi-bottrop.example",
    )
    ki = _organisation(
        session,
        "ki-bottrop",
        "Kommunales Integrationszentrum Bottrop",
        "ki",
        address="Ernst-Wilczok-Platz 1\n46236 Bottrop",
        email="datenschutz@ki-bottrop.example",
    )
    organiser = _staff(session, zdi, ki)
    start = today + timedelta(days=21)
    start += timedelta(days=-start.weekday() % 7)  # a Monday, three weeks or more ahead
    ki4u = _workshop(
        session,
        "ki4u",
        [zdi, ki],
        optional_fields="gender",
        capacity=25,
        ages=(10, 14),
        days=[start, start + timedelta(days=1), start + timedelta(days=2)],
        hours=(time(10, 30), time(14, 30)),
        place=KI4U_PLACE,
        texts={
            "de": (
                "KI4U – Künstliche Intelligenz für dich",
                "Drei Tage lang entdeckt ihr, wie Künstliche Intelligenz lernt, und baut eigene "
                "kleine KI-Projekte. Am Ende zeigt ihr sie euren Eltern.",
                "Bitte bringt etwas zu trinken mit. Mittagessen gibt es vor Ort.",
            ),
            "en": (
                "KI4U – Artificial intelligence for you",
                "For three days you find out how artificial intelligence learns and build "
                "small AI projects of your own. At the end you show them to your parents.",
                "Please bring something to drink. Lunch is provided.",
            ),
            "tr": (
                "KI4U – Senin için yapay zekâ",
                "Üç gün boyunca yapay zekânın nasıl öğrendiğini keşfediyor ve kendi küçük "
                "yapay zekâ projelerinizi yapıyorsunuz. Sonunda projelerinizi ailenize "
                "gösteriyorsunuz.",
                "Lütfen yanınızda içecek getirin. Öğle yemeği orada veriliyor.",
            ),
            "ar": (
                "KI4U – الذكاء الاصطناعي من أجلك",
                "على مدى ثلاثة أيام تكتشفون كيف يتعلّم الذكاء الاصطناعي، وتصنعون مشاريع "
                "صغيرة خاصة بكم. في النهاية تعرضونها على أهاليكم.",
                "يُرجى إحضار شيء للشرب. الغداء متوفر في المكان.",
            ),
            "uk": (
                "KI4U – штучний інтелект для тебе",
                "Три дні ви дізнаєтеся, як навчається штучний інтелект, і створюєте власні "
                "невеликі проєкти. Наприкінці ви показуєте їх батькам.",
                "Будь ласка, візьміть із собою щось попити. Обід буде на місці.",
            ),
        },
    )
    if ki4u.confirmed_count == 0:
        # Families of the integration centre, in their languages: lists and slips to print.
        _fill(session, ki4u, 9)
    _last_years_ki4u(session, [zdi, ki], organiser, today)
    _workshop(
        session,
        "ozeane",
        [ki, zdi],
        capacity=28,
        ages=(6, 10),
        days=[start + timedelta(days=14)],
        hours=(time(8, 30), time(13, 0)),
        place=("Zooschule und Schülerlabor", "Am Zoo 1\n46236 Bottrop"),
        texts={
            "de": (
                "Ozeane und Meerestiere",
                "Ein Projekttag mit zwei Stationen: In der Zooschule lernt ihr Meerestiere "
                "kennen, im Schülerlabor untersucht ihr Meerwasser.",
                "Der Bus fährt um 8:15 Uhr an der Schule ab.",
            ),
            "en": (
                "Oceans and sea creatures",
                "A project day with two stations: at the zoo school you meet sea creatures, "
                "in the student lab you examine sea water.",
                "The bus leaves the school at 8:15.",
            ),
            "tr": (
                "Okyanuslar ve deniz canlıları",
                "İki istasyonlu bir proje günü: Hayvanat bahçesi okulunda deniz canlılarını "
                "tanıyorsunuz, öğrenci laboratuvarında deniz suyunu inceliyorsunuz.",
                "Otobüs saat 8:15'te okuldan kalkıyor.",
            ),
            "ar": (
                "المحيطات والحيوانات البحرية",
                "يوم مشروع فيه محطتان: في مدرسة حديقة الحيوان تتعرفون على الحيوانات "
                "البحرية، وفي مختبر الطلاب تفحصون مياه البحر.",
                "تنطلق الحافلة من المدرسة الساعة 8:15.",
            ),
            "uk": (
                "Океани та морські тварини",
                "Проєктний день із двома станціями: у зоошколі ви знайомитеся з морськими "
                "тваринами, у шкільній лабораторії досліджуєте морську воду.",
                "Автобус від'їжджає від школи о 8:15.",
            ),
        },
    )
    robots = _workshop(
        session,
        "roboter",
        [zdi],
        capacity=12,
        ages=(8, 12),
        days=[start + timedelta(days=7)],
        hours=(time(14, 0), time(17, 0)),
        place=("Stadtbibliothek Bottrop", "Blumenstraße 12\n46236 Bottrop"),
        texts={
            "de": (
                "Roboter bauen mit dem Calliope",
                "Ihr baut und programmiert einen kleinen Roboter.",
                "",
            )
        },
    )
    if robots.confirmed_count == 0:
        _fill(session, robots, 15)
    _workshop(
        session,
        "scratch",
        [zdi],
        capacity=15,
        ages=(9, 13),
        status=WorkshopStatus.CLOSED,
        days=[start + timedelta(days=21)],
        hours=(time(15, 0), time(17, 0)),
        place=("Jugendzentrum Bottrop", "Gladbecker Straße 20\n46236 Bottrop"),
        texts={
            "de": (
                "Spiele programmieren mit Scratch",
                "Ihr programmiert euer erstes eigenes Spiel.",
                "",
            )
        },
    )
    session.flush()
    return DemoLogin(DEMO_EMAIL, DEMO_PASSWORD)


def _organisation(session, slug, name, kind, address, email) -> Organisation:
    organisation = session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        organisation = Organisation(
            slug=slug, name=name, kind=kind, postal_address=address, privacy_email=email
        )
        session.add(organisation)
    return organisation


def _staff(session, *organisations) -> StaffUser:
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == DEMO_EMAIL))
    if user is None:
        user = StaffUser(email=DEMO_EMAIL, display_name="Demo Organisatorin")
        user.set_password(DEMO_PASSWORD)
        user.memberships = [Membership(organisation=o, role=Role.ORGANISER) for o in organisations]
        session.add(user)
    return user


def _workshop(
    session,
    slug,
    organisations,
    *,
    capacity,
    ages,
    days,
    hours,
    place,
    texts,
    status=WorkshopStatus.OPEN,
    optional_fields="",
) -> Workshop:
    workshop = session.scalar(sa.select(Workshop).where(Workshop.slug == slug))
    if workshop is not None:
        return workshop
    workshop = Workshop(
        slug=slug,
        status=status,
        capacity=capacity,
        min_age=ages[0],
        max_age=ages[1],
        place_name=place[0],
        place_address=place[1],
        photo_uses="internal,website",
        optional_fields=optional_fields,
        organisations=organisations,
        dates=[WorkshopDate(day=day, starts_at=hours[0], ends_at=hours[1]) for day in days],
        texts=[
            WorkshopText(language=language, title=title, summary=summary, notes=notes)
            for language, (title, summary, notes) in texts.items()
        ],
    )
    session.add(workshop)
    session.flush()
    session.refresh(workshop)
    return workshop


DEMO_NAMES = [
    "Amira",
    "Jonas",
    "Elif",
    "Mohammed",
    "Sofia",
    "Yusuf",
    "Lena",
    "Darya",
    "Emre",
    "Hanna",
    "Omar",
    "Mila",
    "Rojin",
    "Taras",
    "Zeynep",
]


GIRLS = {"Amira", "Elif", "Sofia", "Lena", "Darya", "Hanna", "Mila", "Rojin", "Zeynep"}


def _fill(session, workshop, count) -> None:
    for index, name in enumerate(DEMO_NAMES[:count]):
        age = min(workshop.max_age, workshop.min_age + 1 + index % 3)
        gender = None
        if workshop.asks(OptionalField.GENDER):
            gender = "female" if name in GIRLS else "male"
        services.register(
            session,
            workshop,
            [services.Child(name, age, gender=gender)],
            phone=f"+4915112345{index:03d}",
            email=None,
            language=["de", "tr", "ar", "uk", "fa"][index % 5],
            consents={ConsentPurpose.PARTICIPATION},
            channel=Channel.ONLINE if index % 3 else Channel.ASSISTED,
        )


#: Last year's KI4U, as the article tells it: 25 children with a place, 16 of them girls, three
#: days. (first name, age, gender, school year, language, channel); three more waited, two of
#: the first 25 cancelled. Amira, Elif and Yusuf come again this year (same phone and name).
LAST_YEAR = [
    ("Amira", 11, "female", "5a", "ar", Channel.ASSISTED),
    ("Elif", 10, "female", "5b", "tr", Channel.ASSISTED),
    ("Yusuf", 12, "male", "6", "de", Channel.ONLINE),
    ("Leyla", 12, "female", "6a", "tr", Channel.ASSISTED),
    ("Nour", 10, "female", "5", "ar", Channel.ASSISTED),
    ("Bohdan", 13, "male", "7b", "uk", Channel.ONLINE),
    ("Maryam", 11, "female", "5a", "fa", Channel.ASSISTED),
    ("Oksana", 13, "female", "Klasse 7", "uk", Channel.ONLINE),
    ("Dilan", 12, "female", "6", "tr", Channel.PAPER),
    ("Karim", 11, "male", "6b", "ar", Channel.ASSISTED),
    ("Paul", 10, "male", "5", "de", Channel.ONLINE),
    ("Hiba", 12, "female", "6", "ar", Channel.ASSISTED),
    ("Mert", 13, "male", "7", "tr", Channel.PAPER),
    ("Zehra", 11, "female", "5b", "tr", Channel.ASSISTED),
    ("Iryna", 12, "female", "6a", "uk", Channel.ASSISTED),
    ("Samir", 14, "male", "8", "ar", Channel.ASSISTED),
    ("Aylin", 13, "female", "7", "de", Channel.ONLINE),
    ("Reza", 12, "male", "6", "fa", Channel.ASSISTED),
    ("Fatima", 11, "female", "5a", "ar", Channel.PAPER),
    ("Roya", 14, "female", "8a", "fa", Channel.ASSISTED),
    ("Luca", 10, "male", "5", "de", Channel.PAPER),
    ("Selin", 12, "female", "6b", "tr", Channel.ASSISTED),
    ("Mina", 14, "female", "8", "fa", Channel.PAPER),
    ("Emir", 11, "male", "5", "tr", Channel.ASSISTED),
    ("Jana", 13, "female", "7", "de", Channel.ONLINE),
    ("Ece", 12, "female", "6", "tr", Channel.ASSISTED),
    ("Ali", 11, "male", "5b", "ar", Channel.ASSISTED),
    ("Rana", 10, "female", "5", "uk", Channel.PAPER),
]
#: Phones shared with this year's KI4U families (see _fill).
RETURNING = {"Amira": 0, "Elif": 2, "Yusuf": 5}
#: Who cancelled (their places went to the waiting list), who never came, who missed a day.
CANCELLED = ("Leyla", "Karim")
NEVER_CAME = "Luca"
MISSED = {0: {"Dilan", "Hiba"}, 1: {"Dilan", "Mert", "Selin", "Reza"}, 2: {"Mina"}}


def _last_years_ki4u(session, organisations, organiser: StaffUser, today: date) -> None:
    """Last year's KI4U in the autumn holidays, with attendance: the report's example."""
    start = date(today.year - 1, 10, 13)
    start -= timedelta(days=start.weekday())
    workshop = _workshop(
        session,
        "ki4u-vorjahr",
        organisations,
        optional_fields="gender,school_year",
        capacity=25,
        ages=(10, 14),
        days=[start, start + timedelta(days=1), start + timedelta(days=2)],
        hours=(time(10, 30), time(14, 30)),
        place=KI4U_PLACE,
        texts={
            "de": (
                "KI4U – Künstliche Intelligenz für dich (Vorjahr)",
                "Drei Tage Künstliche Intelligenz in den Herbstferien, mit einer Präsentation "
                "für die Eltern am letzten Tag.",
                "",
            )
        },
    )
    touched = session.scalar(
        sa.select(sa.func.count()).where(Registration.workshop_id == workshop.id)
    ) or session.scalar(sa.select(sa.func.count()).where(ReportCount.workshop_id == workshop.id))
    if touched:  # filled before, and maybe purged since: the counts stand for it
        return
    opened = datetime.combine(start - timedelta(days=35), time(9), tzinfo=UTC)
    children = {}
    for index, (name, age, gender, school_year, language, channel) in enumerate(LAST_YEAR):
        assisted = channel != Channel.ONLINE
        number = RETURNING.get(name)
        phone = f"+4915112345{number:03d}" if number is not None else f"+4915198765{index:03d}"
        result = services.register(
            session,
            workshop,
            [services.Child(name, age, gender=gender, school_year=school_year)],
            phone=phone,
            email=None,
            language=language,
            consents={ConsentPurpose.PARTICIPATION},
            channel=channel,
            assisted_by=organiser if assisted else None,
            consent_channel=ConsentChannel.PAPER if assisted else ConsentChannel.ONLINE,
            now=opened + timedelta(hours=5 * index),
        )
        registration = result.registration
        if assisted:
            registration.slip_received_at = opened + timedelta(days=20)
        children[name] = registration
    for name in CANCELLED:
        services.cancel(session, children[name], now=opened + timedelta(days=25))
    for day_index, workshop_date in enumerate(workshop.dates):
        moment = datetime.combine(workshop_date.day, time(8, 40), tzinfo=UTC)
        for name, registration in children.items():
            child = registration.participants[0]
            away = name == NEVER_CAME or name in MISSED[day_index]
            if child.status.value == "confirmed" and not away:
                services.set_attendance(
                    session, child, workshop_date, True, marked_by=organiser, now=moment
                )
    workshop.status = WorkshopStatus.CLOSED
    session.flush()
