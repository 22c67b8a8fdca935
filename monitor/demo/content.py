"""The demo site's content: outlets, articles and comment threads, generated deterministically."""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from monitor.demo.themes import COMMENTERS, GENERIC_REPLIES, THEMES

MAX_DEPTH = 3


@dataclass(frozen=True)
class Outlet:
    """A made-up news outlet, served under ``/<name>/`` in one markup style."""

    name: str
    title: str
    markup: str  # "wordpress" | "microdata" | "jsonld"
    tz: timezone
    authors: tuple[str, ...] = ()
    tagline: str = ""


OUTLETS: dict[str, Outlet] = {
    o.name: o
    for o in (
        Outlet("harbor-times", "The Harbor Times", "wordpress", timezone(timedelta(hours=1)),
               tagline="News from Port Aldren and the coast since 1887"),
        Outlet("northern-ledger", "The Northern Ledger", "microdata", timezone(timedelta(hours=2)),
               tagline="Independent journalism for the north"),
        Outlet("valley-post", "The Valley Post", "jsonld", timezone(timedelta(hours=-5)),
               tagline="Your valley, your news"),
    )
}
LAB = Outlet("lab", "Crawler Lab", "wordpress", UTC, tagline="Pages that misbehave on purpose")

SECTIONS = {
    "city": "City", "environment": "Environment", "politics": "Politics",
    "business": "Business", "world": "World", "sport": "Sport",
}


@dataclass
class DemoComment:
    """A reader comment; ``id`` is site-wide and shows in the page's anchors."""

    id: int
    author: str
    published: datetime
    text: str
    parent: int | None = None  # the id of the comment it answers
    likes: int | None = None
    html: str | None = None  # raw markup served as is (the hostile lab page); None: escape ``text``


@dataclass
class DemoArticle:
    """One article page with its comments, as served."""

    outlet: str
    slug: str
    path: str
    title: str
    authors: list[str]
    published: datetime
    section: str
    tags: list[str]
    paragraphs: list[str]
    comments: list[DemoComment] = field(default_factory=list)
    modified: datetime | None = None
    image: str = ""
    number: int = 0  # the CMS's own post id
    private: bool = False  # under a robots.txt Disallow
    changed: datetime | None = None  # last change of anything on the page, for Last-Modified

    @property
    def last_changed(self) -> datetime:
        stamps = [self.published, self.modified, self.changed, *(c.published for c in self.comments)]
        return max(s for s in stamps if s is not None)

    def summary(self) -> str:
        first = self.paragraphs[0] if self.paragraphs else ""
        sentence = first.split(". ")[0].rstrip(".")
        return sentence + "." if sentence else ""

    def thread(self) -> list[tuple[DemoComment, int]]:
        """The comments in page order (replies under their parent), each with its depth."""
        children: dict[int | None, list[DemoComment]] = {}
        for comment in self.comments:
            children.setdefault(comment.parent, []).append(comment)
        ordered: list[tuple[DemoComment, int]] = []

        def walk(parent: int | None, depth: int) -> None:
            for comment in sorted(children.get(parent, []), key=lambda c: (c.published, c.id)):
                ordered.append((comment, depth))
                walk(comment.id, depth + 1)

        walk(None, 1)
        return ordered


@dataclass(frozen=True)
class Spec:
    """A hand-written article outline; the body is filled in from its theme."""

    outlet: str
    theme: str
    slug: str
    title: str
    authors: tuple[str, ...]
    when: str  # local "YYYY-MM-DD HH:MM" in the outlet's offset
    comments: int
    unique: str  # a sentence whose rare word occurs in this article only
    note: str = ""  # a first comment whose rare word occurs in comments only
    modified: str = ""
    private: bool = False


SPECS: tuple[Spec, ...] = (
    # The Harbor Times (WordPress).
    Spec("harbor-times", "bridge", "harbor-bridge-reopens", "Aldren Span reopens to traffic after eight months of repairs",
         ("Maggie Thornton",), "2025-03-03 09:14", 6,
         "Among the first across was a pelican-shaped kite flown by a school club, which drifted over the toll booths to cheers.",
         "My grandfather played the bagpipes on the old span every Sunday. Glad to see it open again.",
         modified="2025-03-03 15:40"),
    Spec("harbor-times", "flood", "river-maelle-bursts-banks-lower-quay", "River Maelle bursts its banks in Lower Quay",
         ("Owen Pryce",), "2025-03-05 07:30", 8,
         "One resident rescued nothing but a harmonica and a tin of photographs as the water rose.",
         "Bought galoshes for the whole family last autumn and everyone laughed at me."),
    Spec("harbor-times", "cafe", "cafe-lumiere-opens-tenth-branch", "Café Lumière opens its tenth branch on the waterfront",
         ("Ines Carvalho",), "2025-03-06 11:00", 3,
         "The new branch has a stained-glass ceiling that throws a kaleidoscope of colour over the counter.",
         "Their marmalade croissant is the only reason I cross the bridge at all."),
    Spec("harbor-times", "election", "mayoral-debate-okafor-lindqvist", "Okafor and Lindqvist clash over bridge tolls in mayoral debate",
         ("Dev Raman", "Maggie Thornton"), "2025-03-08 18:45", 7,
         "Before the debate, a volunteer folded origami cranes for every seat in the hall.",
         "They should count the votes on an abacus, it would be quicker than last time.",
         modified="2025-03-09 08:05"),
    Spec("harbor-times", "wind", "greyshoal-wind-farm-cable", "Greyshoal wind farm cable to come ashore at Port Aldren",
         ("Owen Pryce",), "2025-03-10 10:20", 2,
         "One fisherman joked that the cable trench would be wide enough for a walrus."),
    Spec("harbor-times", "football", "rovers-win-harbor-derby", "Rovers edge Valley United in a rain-soaked harbour derby",
         ("Dev Raman",), "2025-03-09 21:05", 5,
         "An accordion player led the home fans in song long after the final whistle.",
         "The trombone section in the north stand deserves a medal for playing through that rain."),
    Spec("harbor-times", "kyiv", "kyiv-air-defence-night", "Kyiv air defence works through the night as drones return",
         ("Ines Carvalho",), "2025-03-11 06:50", 4,
         "In one shelter, a pensioner kept a chessboard on her knees and played until the all-clear.",
         "My aunt in Kyiv sings a lullaby to the neighbours' children in the metro every night."),
    Spec("harbor-times", "bridge", "bridge-toll-plan-questions", "Questions mount over the new toll plan for the Aldren Span",
         ("Maggie Thornton",), "2025-03-13 12:00", 0,
         "The new toll booths have already been painted a bright tangerine."),
    Spec("harbor-times", "flood", "flood-insurance-claims-lower-quay", "Insurers brace for flood claims after Lower Quay inundation",
         ("Owen Pryce",), "2025-03-14 16:10", 1,
         "One claim lists a stuffed porcupine that had stood in a riverside pub for sixty years."),
    Spec("harbor-times", "cafe", "cafe-lumiere-baristas-union", "Café Lumière baristas vote to join a union",
         ("Ines Carvalho",), "2025-03-16 09:00", 4,
         "The vote was counted on the upper deck of a moored gondola that the chain uses for staff parties."),
    Spec("harbor-times", "election", "election-night-turnout", "Turnout climbs as Port Aldren votes for a new mayor",
         ("Dev Raman",), "2025-03-18 22:30", 8,
         "A saxophonist played outside the exhibition hall while the ballot boxes arrived."),
    Spec("harbor-times", "wind", "seabirds-wind-turbines-survey", "Seabird survey to track Greyshoal turbines",
         ("Maggie Thornton",), "2025-03-19 08:15", 2,
         "The survey team's mascot is a knitted puffin that rides on the radar mast."),
    Spec("harbor-times", "election", "leaked-toll-memo", "Leaked memo: bridge tolls could double after the election",
         ("Maggie Thornton",), "2025-03-12 14:00", 2,
         "The memo was written by a civil servant said to be moonlighting for a toll consultancy.",
         private=True),
    # The Northern Ledger (schema.org microdata).
    Spec("northern-ledger", "wind", "greyshoal-turbines-zurich-investor", "Zürich investor takes stake in Greyshoal wind farm",
         ("Pieter de Wit",), "2025-03-02 08:00", 5,
         "The fund's logo, a stylised edelweiss, now hangs in the project office.",
         "A zeppelin would be a quieter way to service those turbines, honestly."),
    Spec("northern-ledger", "kyiv", "kyiv-drones-intercepted", "Most drones intercepted over Kyiv, city administration says",
         ("Yaroslava Kovalenko",), "2025-03-04 05:40", 6,
         "A music teacher said she kept time for her pupils in the shelter with a metronome."),
    Spec("northern-ledger", "election", "renee-dubois-greens-launch", "Renée Dubois launches Greens campaign with a flood pledge",
         ("Callum Reid",), "2025-03-05 19:00", 4,
         "The launch took place in a playground, with children bouncing on a trampoline behind the stage."),
    Spec("northern-ledger", "flood", "maelle-flood-evacuations", "Hundreds evacuated as the Maelle rises",
         ("Sigrid Aalto", "Callum Reid"), "2025-03-05 12:30", 8,
         "One family paddled their elderly neighbour to safety in a bright yellow kayak.",
         modified="2025-03-05 18:20"),
    Spec("northern-ledger", "football", "feld-header-settles-derby", "Jonas Feld's late header settles the derby",
         ("Callum Reid",), "2025-03-09 23:10", 3,
         "Rovers fans had dressed a scarecrow in a Valley United shirt and sat it in the away end."),
    Spec("northern-ledger", "bridge", "aldren-span-first-day", "First day on the reopened Aldren Span: queues and relief",
         ("Sigrid Aalto",), "2025-03-03 13:00", 5,
         "A brass band's tuba player marched across first, followed by a line of delivery vans."),
    Spec("northern-ledger", "cafe", "cafe-lumiere-oat-milk-prices", "Café Lumière blames oat milk prices for costlier lattes",
         ("Pieter de Wit",), "2025-03-07 10:45", 6,
         "The chain is also testing a cardamom bun that regulars say is worth the higher prices."),
    Spec("northern-ledger", "kyiv", "kyiv-power-restored", "Power restored across Kyiv after overnight attack",
         ("Yaroslava Kovalenko",), "2025-03-12 04:20", 2,
         "Neighbours passed a thermos of tea along the stairwell while the lights were out."),
    Spec("northern-ledger", "election", "polls-tighten-mayor-race", "Polls tighten in the final week of the mayoral race",
         ("Callum Reid", "Sigrid Aalto"), "2025-03-17 09:30", 5,
         "The town hall's copper weathervane was repaired just in time for the new mayor."),
    Spec("northern-ledger", "wind", "greyshoal-fishermen-compensation", "Fishermen win compensation deal over Greyshoal cable route",
         ("Pieter de Wit",), "2025-03-15 14:00", 0,
         "The deal also pays for a new lobster hatchery at the fish market."),
    Spec("northern-ledger", "flood", "maelle-flood-defences-review", "Review of Maelle flood defences finds naïve assumptions",
         ("Sigrid Aalto",), "2025-03-18 11:15", 3,
         "The review even blames a beaver dam upstream for part of the surge."),
    Spec("northern-ledger", "football", "valley-united-new-coach", "Valley United appoint a new head coach after derby defeat",
         ("Callum Reid",), "2025-03-20 20:00", 7,
         "The new coach, famous for his waxed moustache, promised attacking football."),
    # The Valley Post (custom CMS, JSON-LD).
    Spec("valley-post", "flood", "river-maelle-flood-warning", "Flood warning issued for the Maelle valley",
         ("Hank Morrow",), "2025-03-04 22:00", 4,
         "Engineers checked the river from a disused submarine periscope mounted on the old mill.",
         "Bought a snorkel as a joke after the last flood. Not laughing now."),
    Spec("valley-post", "cafe", "cafe-lumiere-valley-first-branch", "Café Lumière comes to the valley",
         ("Lucía Benítez",), "2025-03-02 07:15", 5,
         "The branch sits next to the village green, where the croquet club meets on Sundays."),
    Spec("valley-post", "football", "valley-united-derby-preview", "Derby preview: Valley United travel to the harbour",
         ("Felix Osei",), "2025-03-08 17:30", 6,
         "The captain still keeps a lucky horseshoe in his kit bag."),
    Spec("valley-post", "election", "valley-voters-weigh-mayoral-race", "Valley commuters weigh in on the Port Aldren mayoral race",
         ("Aiyana Brooks",), "2025-03-06 12:00", 3,
         "One farmer drove his tractor to the town hall hustings to make a point about road tolls."),
    Spec("valley-post", "kyiv", "kyiv-valley-volunteers", "Valley volunteers ship winter supplies to Kyiv",
         ("Lucía Benítez",), "2025-03-07 02:30", 8,
         "The last box held a hand-stitched quilt made by the village sewing circle."),
    Spec("valley-post", "wind", "greyshoal-jobs-valley", "Greyshoal wind farm promises 300 jobs for the valley",
         ("Hank Morrow",), "2025-03-11 09:45", 2,
         "A local blacksmith has already won a contract for the substation railings."),
    Spec("valley-post", "bridge", "commuters-return-aldren-span", "Valley commuters return to the Aldren Span",
         ("Felix Osei",), "2025-03-03 06:00", 5,
         "One family celebrated by decorating their minivan with paper streamers."),
    Spec("valley-post", "flood", "maelle-flood-cleanup-volunteers", "Volunteers lead the cleanup after the Maelle flood",
         ("Aiyana Brooks", "Hank Morrow"), "2025-03-13 15:20", 7,
         "A retired teacher pushed a wheelbarrow of mud up the high street for six hours straight.",
         modified="2025-03-14 09:00"),
    Spec("valley-post", "cafe", "cafe-lumiere-zurich-roastery", "Café Lumière to source beans from a Zürich roastery",
         ("Lucía Benítez",), "2025-03-14 08:30", 1,
         "The roastery shares a courtyard with a chocolatier who supplies the chain's cakes."),
    Spec("valley-post", "football", "valley-united-fans-protest", "Valley United fans protest after derby loss",
         ("Felix Osei",), "2025-03-16 19:45", 6,
         "The protest was led by a fan with a megaphone and a drum.",
         "Someone put the club anthem on the jukebox at the Crown every ten minutes all night."),
    Spec("valley-post", "election", "okafor-wins-mayor", "Mara Okafor elected mayor of Port Aldren",
         ("Aiyana Brooks",), "2025-03-19 21:10", 8,
         "Her supporters threw confetti in the harbour colours as the result was read out."),
    Spec("valley-post", "kyiv", "kyiv-air-defence-donations", "Valley fundraiser for Kyiv air defence passes its target",
         ("Lucía Benítez",), "2025-03-20 03:00", 3,
         "Children at the primary school raised the last hundred dollars selling cupcakes."),
)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def slugify(text: str) -> str:
    """An ASCII URL slug: ``Café Lumière!`` → ``cafe-lumiere``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "article"


def article_path(outlet: str, slug: str, published: datetime, *, section: str, number: int,
                 private: bool = False) -> str:
    """Each outlet's own URL shape, so a regex can tell its articles from its section pages."""
    if outlet == "harbor-times":
        prefix = "/harbor-times/private" if private else "/harbor-times"
        return f"{prefix}/{published:%Y/%m/%d}/{slug}/"
    if outlet == "northern-ledger":
        return f"/northern-ledger/news/{section}/{slug}-{number}.html"
    if outlet == "valley-post":
        return f"/valley-post/a/{number}/{slug}"
    return f"/{outlet}/articles/{slug}/"


def image_path(outlet: str, slug: str, published: datetime) -> str:
    if outlet == "harbor-times":
        return f"/harbor-times/wp-content/uploads/{published:%Y/%m}/{slug}-1200x675.png"
    if outlet == "northern-ledger":
        return f"/northern-ledger/media/images/{slug}.png"
    return f"/{outlet}/img/{slug}.png"


def first_number(outlet: str) -> int:
    return {"harbor-times": 101, "northern-ledger": 10230, "valley-post": 3100}.get(outlet, 1)


def build_articles(next_comment_id: list[int]) -> list[DemoArticle]:
    """All outlets' articles from ``SPECS``; comment ids come from the shared counter."""
    articles: list[DemoArticle] = []
    numbers: dict[str, int] = {}
    for spec in SPECS:
        outlet = OUTLETS[spec.outlet]
        number = numbers.get(spec.outlet, first_number(spec.outlet))
        numbers[spec.outlet] = number + 7
        articles.append(_build(spec, outlet, number, next_comment_id))
    return articles


def _local(when: str, tz: timezone) -> datetime:
    return datetime.strptime(when, "%Y-%m-%d %H:%M").replace(tzinfo=tz)


def _build(spec: Spec, outlet: Outlet, number: int, next_comment_id: list[int]) -> DemoArticle:
    theme = THEMES[spec.theme]
    rng = random.Random(f"{spec.outlet}/{spec.slug}")
    published = _local(spec.when, outlet.tz)
    paragraphs = _paragraphs(rng, spec, outlet, published)
    article = DemoArticle(
        outlet=spec.outlet,
        slug=spec.slug,
        path=article_path(spec.outlet, spec.slug, published, section=theme.section, number=number,
                          private=spec.private),
        title=spec.title,
        authors=list(spec.authors),
        published=published,
        modified=_local(spec.modified, outlet.tz) if spec.modified else None,
        section=theme.section,
        tags=list(theme.tags[: 1 + rng.randrange(len(theme.tags))]),
        paragraphs=paragraphs,
        image=image_path(spec.outlet, spec.slug, published),
        number=number,
        private=spec.private,
    )
    article.comments = _comments(rng, spec, outlet, published, next_comment_id)
    return article


def _paragraphs(rng: random.Random, spec: Spec, outlet: Outlet, published: datetime) -> list[str]:
    theme = THEMES[spec.theme]
    count = rng.randint(4, min(8, len(theme.paragraphs)))
    # The theme's opening paragraph always leads; the rest are drawn without repeats.
    chosen = [0, *sorted(rng.sample(range(1, len(theme.paragraphs)), count - 1))]
    texts = []
    for index in chosen:
        who, name = rng.choice(theme.cast)
        texts.append(
            theme.paragraphs[index].format(
                who=who[0].upper() + who[1:] if theme.paragraphs[index].startswith("{who}") else who,
                name=name,
                n=rng.randint(2, 40),
                m=rng.randint(2, 9),
                pct=rng.randint(11, 89),
                day=WEEKDAYS[(published.weekday() + rng.randint(0, 2)) % 7],
                outlet=outlet.title,
            )
        )
    texts.insert(rng.randint(1, len(texts)), spec.unique)
    return texts


def _comments(rng: random.Random, spec: Spec, outlet: Outlet, published: datetime,
              next_comment_id: list[int]) -> list[DemoComment]:
    theme = THEMES[spec.theme]
    tops = list(theme.comments)
    rng.shuffle(tops)
    replies = list(theme.replies + GENERIC_REPLIES)
    rng.shuffle(replies)
    comments: list[DemoComment] = []
    depth: dict[int, int] = {}
    when = published
    for position in range(spec.comments):
        when = when + timedelta(minutes=rng.randint(6, 190))
        open_parents = [c for c in comments if depth[c.id] < MAX_DEPTH]
        parent = rng.choice(open_parents) if position and open_parents and rng.random() < 0.55 else None
        if position == 0 and spec.note:
            text = spec.note
        elif parent is None:
            text = tops.pop() if tops else replies.pop()
        else:
            text = replies.pop() if replies else tops.pop()
        comment = DemoComment(
            id=next_comment_id[0],
            author=rng.choice(COMMENTERS),
            published=when,
            text=text,
            parent=parent.id if parent else None,
            likes=rng.randint(0, 40) if outlet.markup == "microdata" else None,
        )
        next_comment_id[0] += 1
        depth[comment.id] = depth[parent.id] + 1 if parent else 1
        comments.append(comment)
    return comments
