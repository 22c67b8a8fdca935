"""Dates as people write them (absolute in many languages, relative: "3 hours ago") → ISO 8601; machine formats
are monitor.timestamps'."""
from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from monitor.timestamps import find_iso8601, is_plausible, iso_timestamp

logger = logging.getLogger(__name__)

__all__ = ["absolute_date", "find_date", "normalize_datetime", "parse_date"]

_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "jän", "январь", "января", "янв", "січень", "січня", "січ"),
    2: ("february", "feb", "februar", "febr", "февраль", "февраля", "фев", "лютий", "лютого", "лют"),
    3: ("march", "mar", "märz", "maerz", "mär", "mrz", "март", "марта", "мар", "березень", "березня", "бер"),
    4: ("april", "apr", "апрель", "апреля", "квітень", "квітня", "квіт", "кві"),
    5: ("may", "mai", "май", "мая", "травень", "травня", "трав", "тра"),
    6: ("june", "jun", "juni", "июнь", "июня", "июн", "червень", "червня", "черв", "чер"),
    7: ("july", "jul", "juli", "июль", "июля", "июл", "липень", "липня", "лип"),
    8: ("august", "aug", "август", "августа", "авг", "серпень", "серпня", "серп", "сер"),
    9: ("september", "sept", "sep", "сентябрь", "сентября", "сент", "сен", "вересень", "вересня", "вер"),
    10: ("october", "oct", "oktober", "okt", "октябрь", "октября", "окт", "жовтень", "жовтня", "жовт", "жов"),
    11: ("november", "nov", "ноябрь", "ноября", "нояб", "ноя", "листопад", "листопада", "лист", "лис"),
    12: ("december", "dec", "dezember", "dez", "декабрь", "декабря", "дек", "грудень", "грудня", "груд", "гру"),
}
# French, Spanish and Italian month names, for the many comment sections in those languages.
for _n, _words in enumerate(
    (
        ("janvier", "janv", "enero", "ene", "gennaio", "gen"),
        ("février", "fevrier", "févr", "febrero", "febbraio"),
        ("mars", "marzo"),
        ("avril", "avr", "abril", "aprile"),
        ("mayo", "maggio", "mag"),
        ("juin", "junio", "giugno", "giu"),
        ("juillet", "juil", "julio", "luglio", "lug"),
        ("août", "aout", "agosto", "ago"),
        ("septembre", "septiembre", "settembre", "set"),
        ("octobre", "octubre", "ottobre", "ott"),
        ("novembre", "noviembre"),
        ("décembre", "decembre", "déc", "diciembre", "dicembre", "dic"),
    ),
    start=1,
):
    _MONTH_WORDS[_n] = _MONTH_WORDS[_n] + _words
MONTHS = {w: n for n, words in _MONTH_WORDS.items() for w in words}
_MONTHS = MONTHS
_MONTH_RE = re.compile(
    r"(?<!\w)(" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + r")\.?(?!\w)"
)

# Day-month-year with a month name (marker "M07" after substitution), and month-day-year.
_DMY_NAME_RE = re.compile(
    r"(?<!\d)(\d{1,2})(?:st|nd|rd|th|er|\.)?\s*(?:de\s+|of\s+)?M(\d\d)\s*,?\s*(?:de\s+)?(\d{4})?(?!\d)"
)
_MDY_NAME_RE = re.compile(r"M(\d\d)\s*(\d{1,2})(?:st|nd|rd|th)?(?!\d)\s*,?\s*(\d{4})?(?!\d)")
_NUMERIC_RE = re.compile(r"(?<![\d.:/])(\d{1,4})([./-])(\d{1,2})\2(\d{2,4})(?![\d/]|\.\d)")
_TIME_RE = re.compile(
    r"(?<![\d:.])(\d{1,2})(?::(\d{2})(?::(\d{2}))?|\.(\d{2})(?=\s*uhr)|h(\d{2})(?!\d)|(?=\s*[ap]\.?m\.?(?!\w)))"
    r"(?:[.,]\d+)?\s*([ap])?(?:\.?m\.?(?!\w))?(?!\d)"
)
_TZ_RE = re.compile(r"^\s*(?:(z|utc|gmt)(?![a-z])\s*)?([+-]\d{2}:?\d{2})?")

_UNIT_SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mon": 30 * 86400, "y": 365 * 86400}
# Word stems of time units in English, German, Ukrainian and Russian.
_UNIT_STEMS: tuple[tuple[str, str], ...] = (
    ("sec", "s"), ("sek", "s"), ("секунд", "s"), ("сек", "s"),
    ("min", "min"), ("хвилин", "min"), ("хв", "min"), ("минут", "min"), ("мин", "min"),
    ("hour", "h"), ("hr", "h"), ("stund", "h"), ("std", "h"), ("годин", "h"), ("год", "h"), ("час", "h"),
    ("day", "d"), ("tag", "d"), ("день", "d"), ("дн", "d"), ("дні", "d"), ("дня", "d"), ("доб", "d"),
    ("week", "w"), ("woche", "w"), ("тиж", "w"), ("недел", "w"), ("нед", "w"),
    ("month", "mon"), ("monat", "mon"), ("місяц", "mon"), ("міс", "mon"), ("месяц", "mon"), ("мес", "mon"),
    ("year", "y"), ("jahr", "y"), ("рік", "y"), ("рок", "y"), ("років", "y"), ("года", "y"), ("лет", "y"),
)
_NUM_WORDS = {
    "a": 1, "an": 1, "one": 1, "ein": 1, "einem": 1, "einer": 1, "einen": 1, "один": 1, "одна": 1, "одну": 1,
    "одного": 1, "одной": 1, "два": 2, "две": 2, "дві": 2, "two": 2, "zwei": 2, "three": 3, "drei": 3,
    "три": 3,
}
_AGO_RE = re.compile(r"(?<!\w)(\d+|[a-zа-яіїєґ]+)\s+([a-zа-яіїєґ]+)\.?\s+(ago|тому|назад|her)(?!\w)")
_VOR_RE = re.compile(r"(?<!\w)vor\s+(\d+|[a-z]+)\s+([a-z]+)(?!\w)")
_BARE_UNIT_AGO_RE = re.compile(r"(?<!\w)(?:vor\s+(?:einer|einem)\s+)?([a-zа-яіїєґ]+)\s+(?:ago|тому|назад|her)(?!\w)")
_DAY_WORDS = {
    "today": 0, "heute": 0, "сьогодні": 0, "сегодня": 0,
    "yesterday": 1, "gestern": 1, "вчора": 1, "учора": 1, "вчера": 1,
    "vorgestern": 2, "позавчора": 2, "позавчера": 2,
}
_DAY_WORD_RE = re.compile(r"(?<!\w)(" + "|".join(_DAY_WORDS) + r")(?!\w)")
_NOW_RE = re.compile(r"(?<!\w)(just now|right now|gerade eben|soeben|jetzt|щойно|только что|сейчас)(?!\w)")
_SLASH_DAY_FIRST = frozenset({"de", "uk", "ru", "fr", "es", "it", "pl", "nl", "pt", "cs", "en-gb"})


def parse_date(
    raw: str, *, relative_to: datetime | None = None, languages: list[str] | None = None
) -> str | None:
    """``raw`` as ISO 8601: date-only for a day, minute precision (seconds kept if given) for a time,
    the offset when the text gives one. Relative dates need ``relative_to``; None when nothing parses."""
    if not raw:
        return None
    text = " ".join(raw.split())
    if not text or len(text) > 300:
        return None
    found = find_date(text, relative_to=relative_to, languages=languages)
    if found:
        return found
    if len(text) <= 80 and re.search(r"\d", text):
        return _dateparser(text, relative_to, tuple(languages or ("en", "de", "uk", "ru")))
    return None


def normalize_datetime(value: str | None, *, now: datetime | None = None) -> str | None:
    """A page's metadata date as ISO 8601: with its offset when it has one, a naive time when it has none,
    a bare date when it is only a day; None when it is not a plausible date. Machine formats first."""
    if not value or not value.strip():
        return None
    text = value.strip()
    result = iso_timestamp(text)
    if result is None and len(text) <= 80 and re.search(r"\d", text):
        result = parse_date(text)
    if result is None or not is_plausible(result, now=now):
        return None
    return result


def absolute_date(text: str) -> str | None:
    """A full date (day, month and year) written in any language dateparser knows, else None: "yesterday" or
    "May 2024" must not become today's date."""
    # dateparser costs a second to load its languages: only dates machine parsing missed pay for it.
    import dateparser

    try:
        parsed = dateparser.parse(text, settings={"PARSERS": ["absolute-time"],
                                                  "REQUIRE_PARTS": ["day", "month", "year"]})
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.isoformat() if parsed is not None else None


def find_date(text: str, *, relative_to: datetime | None = None, languages: list[str] | None = None) -> str | None:
    """The first date found in ``text`` by fast explicit patterns (no dateparser); None if there is none."""
    low = " ".join(text.split()).lower()
    if not low:
        return None
    iso = find_iso8601(low)
    if iso:
        return iso if 1900 <= int(iso[:4]) <= 2100 else None
    day_first = bool(languages) and any(lang.lower() in _SLASH_DAY_FIRST for lang in languages or ())
    absolute = _absolute(low, relative_to, day_first)
    if absolute:
        return absolute
    if relative_to is not None:
        return _relative(low, relative_to)
    return None


def _offset(tz: str) -> str:
    if tz.lower() in ("z", "utc", "gmt"):
        return "+00:00"
    digits = tz[1:].replace(":", "")
    return f"{tz[0]}{digits[:2]}:{digits[2:4]}"


def _valid(y: int, mo: int, d: int) -> bool:
    try:
        date(y, mo, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def _year(y: str | None, relative_to: datetime | None) -> int | None:
    if y is None:
        return relative_to.year if relative_to else None
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n < 70 else 1900 + n
    return n


def _absolute(low: str, relative_to: datetime | None, day_first: bool) -> str | None:
    named = _MONTH_RE.sub(lambda m: f" M{_MONTHS[m.group(1)]:02d} ", low)
    ymd: tuple[int, int, int] | None = None
    span = (0, 0)
    for rx, order in ((_DMY_NAME_RE, "dmy"), (_MDY_NAME_RE, "mdy")):
        m = rx.search(named)
        if not m:
            continue
        if order == "dmy":
            d, mo, y = int(m.group(1)), int(m.group(2)), _year(m.group(3), relative_to)
        else:
            mo, d, y = int(m.group(1)), int(m.group(2)), _year(m.group(3), relative_to)
        if y is not None and _valid(y, mo, d):
            ymd, span = (y, mo, d), m.span()
            if m.group(3) is None and relative_to is not None and date(y, mo, d) > relative_to.date():
                ymd = (y - 1, mo, d) if _valid(y - 1, mo, d) else ymd
            break
    if ymd is None:
        m = _NUMERIC_RE.search(named)
        if m:
            a, sep, b, c = m.group(1), m.group(2), int(m.group(3)), m.group(4)
            if len(a) == 4:
                cand = [(int(a), b, int(c))]
            else:
                y = _year(c, None) or 0
                first, second = int(a), b
                if sep in ".-" or day_first:
                    cand = [(y, second, first), (y, first, second)]
                else:
                    cand = [(y, first, second), (y, second, first)]
            for y, mo, d in cand:
                if _valid(y, mo, d):
                    ymd, span = (y, mo, d), m.span()
                    break
    if ymd is None:
        return None
    out = f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
    rest = named[: span[0]] + " " * (span[1] - span[0]) + named[span[1]:]
    clock = _clock(rest)
    return out + clock if clock else out


def _clock(text: str) -> str | None:
    for m in _TIME_RE.finditer(text):
        hh = int(m.group(1))
        mi = int(m.group(2) or m.group(4) or m.group(5) or 0)
        ss = int(m.group(3) or 0)
        ampm = m.group(6)
        if ampm:
            if not 1 <= hh <= 12:
                continue
            hh = hh % 12 + (12 if ampm == "p" else 0)
        elif m.group(2) is None and m.group(4) is None and m.group(5) is None:
            continue
        if hh > 23 or mi > 59 or ss > 59:
            continue
        out = f"T{hh:02d}:{mi:02d}:{ss:02d}"
        tz = _TZ_RE.match(text[m.end():])
        if tz and (tz.group(1) or tz.group(2)):
            out += _offset(tz.group(2) or tz.group(1))
        return out
    return None


def _unit(word: str) -> str | None:
    for stem, unit in _UNIT_STEMS:
        if word.startswith(stem):
            return unit
    return None


def _relative(low: str, now: datetime) -> str | None:
    if _NOW_RE.search(low):
        return _stamp(now, with_time=True)
    for rx in (_AGO_RE, _VOR_RE):
        m = rx.search(low)
        if not m:
            continue
        count_word, unit_word = m.group(1), m.group(2)
        n = int(count_word) if count_word.isdigit() else _NUM_WORDS.get(count_word)
        # "год" is hours in Ukrainian ("тому") but a year in Russian ("назад").
        unit = "y" if unit_word == "год" and m.group(m.lastindex or 0) == "назад" else _unit(unit_word)
        if n is not None and unit:
            # "50 Minuten 46 Sekunden her": add up every amount before the "ago" word
            seconds = sum(
                int(a) * _UNIT_SECONDS[u]
                for a, w in re.findall(r"(\d+)\s+([a-zа-яіїєґ]+)", low[: m.end()])
                if (u := _unit(w) or "") and a.isdigit()
            )
            if seconds > n * _UNIT_SECONDS[unit]:
                return _stamp(now - timedelta(seconds=seconds), with_time=unit in ("s", "min", "h") or seconds < 86400)
            return _shift(now, n, unit)
    m = _BARE_UNIT_AGO_RE.search(low)  # "an hour ago" is caught above; "годину тому", "vor einer Stunde"
    if m and _unit(m.group(1)):
        return _shift(now, 1, _unit(m.group(1)) or "d")
    m = _DAY_WORD_RE.search(low)
    if m:
        day = now - timedelta(days=_DAY_WORDS[m.group(1)])
        clock = _clock(low[m.end():]) or _clock(low[: m.start()])
        if clock:
            return day.strftime("%Y-%m-%d") + clock[:9] + _tz_suffix(now)
        return day.strftime("%Y-%m-%d")
    return None


def _shift(now: datetime, n: int, unit: str) -> str:
    then = now - timedelta(seconds=n * _UNIT_SECONDS[unit])
    return _stamp(then, with_time=unit in ("s", "min", "h"))


def _stamp(moment: datetime, *, with_time: bool) -> str:
    if not with_time:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%dT%H:%M:00") + _tz_suffix(moment)


def _tz_suffix(moment: datetime) -> str:
    off = moment.utcoffset()
    if off is None:
        return ""
    minutes = int(off.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


@lru_cache(maxsize=4096)
def _dateparser(text: str, relative_to: datetime | None, languages: tuple[str, ...]) -> str | None:
    try:
        import dateparser
    except ImportError:  # pragma: no cover - dateparser is a declared dependency
        return None
    settings: dict[str, object] = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    if relative_to is not None:
        settings["RELATIVE_BASE"] = relative_to.replace(tzinfo=None)
    elif not re.search(r"\d{4}|\d{1,2}[./]\d{1,2}[./]\d{2}", text):
        return None  # without a reference time only a full date is trustworthy
    try:
        parsed = dateparser.parse(text, languages=list(languages), settings=settings)
    except Exception:  # dateparser raises many kinds of errors on odd input
        logger.debug("dateparser failed on %r", text)
        return None
    if parsed is None or not 1900 <= parsed.year <= 2100:
        return None
    if parsed.hour or parsed.minute or re.search(r"\d:\d\d", text):
        out = parsed.strftime("%Y-%m-%dT%H:%M:%S")
        if parsed.tzinfo is not None:
            out += _tz_suffix(parsed)
        return out
    return parsed.strftime("%Y-%m-%d")
