"""Demo data from the article: the KI4U workshop in Bottrop, a primary-school project day,
a full workshop with a waiting list and a closed one. Loading twice changes nothing."""

from dataclasses import dataclass
from datetime import date, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .database import begin_write
from .registrations import services
from .registrations.models import Channel, ConsentPurpose
from .staff.models import Membership, Organisation, Role, StaffUser
from .workshops.models import Workshop, WorkshopDate, WorkshopStatus, WorkshopText

DEMO_EMAIL = "organiser@demo.signup.example"
DEMO_PASSWORD = "mint-demo-2026"  # noqa: S105 - printed on purpose; demo data only


@dataclass
class DemoLogin:
    email: str
    password: str


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
    _staff(session, zdi, ki)
    start = today + timedelta(days=21)
    start += timedelta(days=-start.weekday() % 7)  # a Monday, three weeks or more ahead
    ki4u = _workshop(
        session,
        "ki4u",
        [zdi, ki],
        capacity=25,
        ages=(10, 14),
        days=[start, start + timedelta(days=1), start + timedelta(days=2)],
        hours=(time(10, 30), time(14, 30)),
        place=("Hochschule Ruhr West, Campus Bottrop", "Lützowstraße 5\n46236 Bottrop"),
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


def _staff(session, *organisations) -> None:
    user = session.scalar(sa.select(StaffUser).where(StaffUser.email == DEMO_EMAIL))
    if user is None:
        user = StaffUser(email=DEMO_EMAIL, display_name="Demo Organisatorin")
        user.set_password(DEMO_PASSWORD)
        user.memberships = [Membership(organisation=o, role=Role.ORGANISER) for o in organisations]
        session.add(user)


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


def _fill(session, workshop, count) -> None:
    for index, name in enumerate(DEMO_NAMES[:count]):
        services.register(
            session,
            workshop,
            [services.Child(name, min(workshop.max_age, workshop.min_age + 1 + index % 3))],
            phone=f"+4915112345{index:03d}",
            email=None,
            language=["de", "tr", "ar", "uk", "fa"][index % 5],
            consents={ConsentPurpose.PARTICIPATION},
            channel=Channel.ONLINE if index % 3 else Channel.ASSISTED,
        )
