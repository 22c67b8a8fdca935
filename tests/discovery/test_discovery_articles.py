"""looks_like_article: real-looking news URLs from several countries, articles and non-articles."""
from __future__ import annotations

import pytest

from monitor.discovery import looks_like_article

ARTICLES = [
    "https://www.theguardian.com/us-news/2018/jan/31/donald-trump-state-of-the-union-address-unity-discord",
    "https://www.nytimes.com/2024/05/01/world/europe/ukraine-russia-drones.html",
    "https://www.bbc.com/news/world-europe-68912345",
    "https://www.bbc.co.uk/news/articles/c4nn5xy0q0ro",
    "https://www.npr.org/2021/10/29/1050315385/keller-rinaudo-how-can-delivery-drones-save-lives",
    "https://www.spiegel.de/politik/deutschland/olaf-scholz-verteidigt-haushaltsplan-im-bundestag-a-7f3c2b1e",
    "https://www.heise.de/news/Java-Anwendungsserver-Red-Hat-gibt-WildFly-10-frei-3088438.html",
    "https://www.faz.net/aktuell/politik/inland/streit-um-schuldenbremse-geht-weiter-19712345.html",
    "https://www.lemonde.fr/international/article/2024/05/01/la-guerre-en-ukraine-entre-dans-une-nouvelle-phase_6231000_3210.html",
    "https://elpais.com/internacional/2024-05-01/el-gobierno-aprueba-la-reforma.html",
    "https://www.corriere.it/esteri/24_maggio_01/ucraina-attacco-droni-kiev-abc123.shtml",
    "https://www.ilgiornale.it/news/cronaca-nera/caso-saman-padre-condannato-2082345.html",
    "https://noticias.uol.com.br/politica/eleicoes/2018/noticias/2018/09/24/ibope-bolsonaro-perde-de-haddad.htm",
    "https://www1.folha.uol.com.br/poder/2018/09/promotoria-abre-inquerito-para-apurar-suspeita.shtml",
    "https://wyborcza.pl/7,75399,30912345,rzad-przyjal-projekt-ustawy.html",
    "https://ria.ru/20240501/ukraina-1943123456.html",
    "https://www.unian.ua/war/zsu-zbili-raketu-nad-kiyevom-12612345.html",
    "https://www3.nhk.or.jp/news/html/20240501/k10014436331000.html",
    "http://www.people.com.cn/n1/2024/0501/c1002-40227000.html",
    "http://www.news.cn/world/2024-05/01/c_1130137000.htm",
    "https://www.hukumonline.com/berita/baca/lt50f901630e6d0/ky-diminta-terapkan-sistem-gugur-seleksi-cha",
    "https://www.ccinfo.nl/journaal/3033802_odido-data-op-straat-ai-hackt-overheden-en-chinese-spionage",
    "https://www.hebdenbridgetimes.co.uk/news/local/concern-for-missing-todmorden-man-1-7242564",
    "https://www.timesofisrael.com/liveblog-may-1-2024/",
    "https://www.haaretz.com/israel-news/2024-05-01/ty-article/.premium/netanyahu-cabinet-meets/0000018f",
    "https://www.example-blog.org/?p=1546121",
    "https://www.donga.com/news/article/all/20240501/124785000/1",
    "https://www.hani.co.kr/arti/politics/politics_general/1138000.html",
    "http://www.example.org/business/article55.html",
    "https://shinpaideshou.wordpress.com/2017/04/25/job-opening-reischauer-policy-research-fellow/",
]

NOT_ARTICLES = [
    "https://www.theguardian.com/",
    "https://www.theguardian.com/world/ukraine",
    "https://www.bbc.com/news/world",
    "https://www.bbc.com/news/topics/c1vw6q14rzqt",
    "https://www.spiegel.de/politik/",
    "https://www.lemonde.fr/international/",
    "https://www.faz.net/aktuell/politik/inland/",
    "https://www.spiegel.de/sport/fussball.html",
    "https://www.example.com/index.html",
    "https://www.example.com/news/index.html",
    "https://www.example.com/tag/climate-change-and-global-warming",
    "https://www.example.com/category/politics/page/2",
    "https://www.example.com/author/jane-doe-smith-jones",
    "https://www.lemonde.fr/signataires/auteur/",
    "https://www.zeit.de/thema/ukraine-krieg",
    "https://www.example.com/search?q=ukraine+russia",
    "https://www.elpais.com/buscar/?q=gobierno",
    "https://www.example.com/login?next=/2024/05/01/some-article",
    "https://www.example.com/feed/",
    "https://www.example.com/rss.xml",
    "https://www.example.com/sitemap-news.xml",
    "https://www.example.com/2024/05/01/",
    "https://www.example.com/2024/05/",
    "https://cdn.example.com/images/2024/05/01/photo-of-the-minister-at-the-summit.jpg",
    "https://www.example.com/reports/annual-report-2024-final-version.pdf",
    "https://www.example.com/api/articles.json",
    "https://www.example.com/impressum",
    "https://www.example.com/about-us",
    "mailto:desk@example.com",
    "javascript:void(0)",
]


@pytest.mark.parametrize("url", ARTICLES)
def test_article_urls_look_like_articles(url: str) -> None:
    assert looks_like_article(url)


@pytest.mark.parametrize("url", NOT_ARTICLES)
def test_home_section_listing_and_file_urls_do_not(url: str) -> None:
    assert not looks_like_article(url)


def test_a_source_pattern_decides_over_the_heuristics() -> None:
    assert looks_like_article("https://www.example.com/politics", pattern=r"/politics$")
    assert not looks_like_article(
        "https://www.nytimes.com/2024/05/01/world/europe/ukraine-russia-drones.html", pattern=r"/story/\d+"
    )
