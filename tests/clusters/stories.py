"""Made-up stories for cluster tests: long enough to compare, each unlike the others."""
from __future__ import annotations

from monitor.items import ArticleItem

FERRY = ("The harbor authority confirmed on Monday that the night ferry between Quay Street and the island "
         "will stop running for six weeks while engineers replace the worn landing ramp. Commuters who rely on "
         "the late crossing will be offered a replacement bus that leaves the station every forty minutes. "
         "The authority said the work had been planned since the spring inspection found cracks in the steel "
         "supports, and that the ramp would reopen before the winter timetable begins.")
ORCHARD = ("Volunteers planted three hundred apple trees on the old railway embankment at the weekend, turning "
           "a strip of gravel into what the parish council hopes will become a community orchard. Pupils from "
           "two primary schools labelled each sapling with the name of a family that sponsored it. The council "
           "will water the trees through the summer and plans a first harvest festival in four years, when the "
           "oldest varieties are expected to bear fruit for the whole village.")
LIBRARY = ("The city library will open on Sundays from next month after the council found money in its budget "
           "for two more librarians. Readers had signed a petition asking for weekend hours, saying that working "
           "parents could not visit during the week. The library plans reading hours for children in the morning "
           "and a repair cafe for old books and bicycles in the afternoon, run by volunteers from the district.")


def copy(text: str, *, source: str, number: int, title: str = "", extra: str = "") -> ArticleItem:
    """An outlet's copy of a story: its own URL, headline and boilerplate."""
    url = f"https://{source}.example/story-{number}"
    return ArticleItem(id=f"{source}-{number}", url=url, canonical_url=url, source=source,
                       title=title or f"Story {number} on {source}",
                       text=text + (f"\n\n{extra}" if extra else "") + f"\n\nCopyright {source}. All rights reserved.")
