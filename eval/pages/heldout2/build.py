"""Write the second held-out set: six saved news pages written after round one, before round two.

Round one (eval/RESULTS.md) tuned the extractor on ``eval/pages`` and measured
``eval/pages/heldout`` once; round two then also looked at the first held-out set's
leaks, so that set is no longer blind. These six pages were written and measured
before round two's changes, to say whether those changes generalise; round three
looked at their leaks, so they are blind only for round two. Same sidecar rule
as the other sets: headline, body paragraphs and the body's own subheadings are
article; standfirst, captions, credits, bylines, datelines, promo, newsletter,
"Read more", wire credit lines, author bios and comments are page. Run from the repo root:

    python eval/pages/heldout2/build.py
"""

from __future__ import annotations

from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent

STORIES: dict[str, tuple[str, list[str]]] = {
    "skylike": (
        "Water company fined 3 million pounds over sewage spills into the Tamar",
        [
            "A water company has been fined 3 million pounds after admitting that it let untreated sewage into the river Tamar on 41 days in 2022.",
            "The judge said the company had ignored alarms at two pumping stations for weeks at a time and had failed to report the spills as the law requires.",
            "Anglers told the court that fish had died along a six-mile stretch below the village of Gunnislake.",
            "The company said it had since spent 20 million pounds on new storm tanks and apologised to people who live along the river.",
        ],
    ),
    "reuterslike": (
        "Copper smelter in Lusavo to cut output as power shortage deepens",
        [
            "LUSAVO, March 4 - Zentral Metals will cut output at its Lusavo copper smelter by a third from next week because of power rationing, the company said on Tuesday.",
            "The national grid operator has limited industrial users to 14 hours of electricity a day since February after low rainfall left the main hydro dam at 18 percent of capacity.",
            "The smelter produced 310,000 tonnes of copper last year, about a fifth of the country's output.",
            "Zentral said no jobs would be lost and that workers would be moved to maintenance during the cuts.",
        ],
    ),
    "papertimes": (
        "Ferry pier reopens after two years of repairs",
        [
            "The ferry pier at Saltcote reopened on Saturday, two years after storms tore away a section of its deck and forced boats to use a temporary landing.",
            "The repairs cost 5.6 million dollars and included new steel piles driven 30 feet into the seabed.",
            "The first ferry of the morning carried about 80 passengers, many of them commuters who had spent two winters taking a bus to the neighbouring town.",
            "The harbor commission said it would add an extra evening sailing on weekdays from June.",
        ],
    ),
    "joomla": (
        "Brass band celebrates 150 years with a concert on the green",
        [
            "The Holmfirth Road Brass Band will mark its 150th birthday with a free concert on the village green on Sunday 6 July.",
            "The band was founded in 1875 by workers at the dye mill and has played at every Whit Friday march since.",
            "Musical director Janet Oduya said the programme would include pieces played at the band's first contest and a new work written for the anniversary.",
            "The band is looking for new players, especially cornets and basses, and rehearses on Tuesday evenings at the old school.",
        ],
    ),
    "mediumlike": (
        "What I learned running the village shop for a year",
        [
            "When the village shop in Ashwell came up for sale, nineteen of us put in 1,000 pounds each and bought it as a community business.",
            "We learned quickly that bread and milk do not pay the bills, and that the post office counter brings in a third of our customers.",
            "Our volunteers work a four-hour shift each week, and the shop now opens seven days instead of five.",
            "After twelve months we made a small profit of 2,400 pounds, which we are spending on a new freezer and a bench outside.",
        ],
    ),
    "gannettlike": (
        "County fair adds a second weekend after record crowds",
        [
            "The Harlan County Fair will run over two weekends next summer after record crowds of more than 96,000 people this year, organizers said Monday.",
            "The fair board voted 7 to 2 to add three days, at an estimated extra cost of 180,000 dollars for security, cleaning and staff.",
            "Vendors had asked for a longer fair after lines for food stands stretched across the midway on both Saturday nights.",
            "The livestock shows will stay on the first weekend so that 4-H members do not miss the start of the school year.",
        ],
    ),
}


def _p(paras: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "\n".join(f"<p{attr}>{escape(p)}</p>" for p in paras)


def skylike(title: str, paras: list[str]) -> str:
    a, b, c, d = paras
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)} | UK News | Southwest Today</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Southwest Today">
<meta name="description" content="Anglers told the court that fish had died along a six-mile stretch of the river.">
<script type="application/ld+json">{{"@type":"NewsArticle","headline":"{escape(title)}","datePublished":"2025-06-19T13:40:00Z","author":{{"@type":"Person","name":"Bethan Cole"}}}}</script></head>
<body><div class="sdc-site-header"><a href="/" class="sdc-site-header__logo">Southwest Today</a><ul class="sdc-site-header__menu"><li><a href="/">Home</a></li><li><a href="/uk">UK</a></li><li><a href="/politics">Politics</a></li><li><a href="/climate">Climate</a></li><li><a href="/watch-live">Watch Live</a></li></ul></div>
<div class="sdc-site-layout"><div class="sdc-article-header"><h1 class="sdc-article-header__long-title">{escape(title)}</h1>
<p class="sdc-article-header__sub-title">Anglers told the court that fish had died along a six-mile stretch of the river.</p>
<div class="sdc-article-author"><p class="sdc-article-author__name">Bethan Cole</p><p class="sdc-article-author__role">South West correspondent @bethancole</p></div>
<p class="sdc-article-date__date-time">Thursday 19 June 2025 14:40, UK</p></div>
<div class="sdc-article-body sdc-article-body--story">
<p>{escape(a)}</p>
<p>{escape(b)}</p>
<p><strong>Read more from Southwest Today:</strong><br><a href="/story/r1">Swimmers warned after bacteria found at three beaches</a><br><a href="/story/r2">Drought declared across Devon and Cornwall</a></p>
<p>{escape(c)}</p>
<div class="sdc-article-video"><div class="sdc-article-video__media"><p>Video: how sewage reaches our rivers</p></div></div>
<p>{escape(d)}</p>
</div>
<div class="sdc-article-related-topics"><span>Related Topics:</span><ul><li><a href="/topic/environment">Environment</a></li><li><a href="/topic/water">Water</a></li></ul></div>
<div class="sdc-site-tiles"><h2>Top stories</h2><ul><li><a href="/t1">Prime minister faces questions over housing target</a></li><li><a href="/t2">Heatwave warning extended to Sunday</a></li><li><a href="/t3">Train strike dates announced</a></li></ul></div></div>
<footer class="sdc-site-footer"><ul><li><a href="/terms">Terms and Conditions</a></li><li><a href="/privacy">Privacy and Cookies</a></li><li><a href="/accessibility">Accessibility</a></li><li><a href="/contact">Contact us</a></li></ul><p>© 2025 Southwest Today Ltd. All rights reserved.</p></footer></body></html>"""


def reuterslike(title: str, paras: list[str]) -> str:
    body = "\n".join(
        f'<div data-testid="paragraph-{i}" class="article-body__paragraph">{escape(p)}</div>'
        for i, p in enumerate(paras)
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Meridian Wire</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Meridian Wire">
<meta name="article:published_time" content="2025-03-04T11:22:00Z"><meta name="article:author" content="Chipo Banda"></head>
<body><header class="site-header"><a href="/" class="site-header__logo">Meridian Wire</a><nav><ul><li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/markets">Markets</a></li><li><a href="/sustainability">Sustainability</a></li><li><a href="/legal">Legal</a></li></ul></nav><a href="/account/register">Register</a></header>
<main><article class="article"><header class="article-header"><span class="article-header__section"><a href="/markets/commodities">Commodities</a></span>
<h1 data-testid="Heading">{escape(title)}</h1>
<div class="article-header__author-date"><address>By <a href="/authors/chipo-banda">Chipo Banda</a></address><time datetime="2025-03-04T11:22:00Z">March 4, 2025 11:22 AM GMT</time><span>Updated ago</span></div></header>
<div class="article-body__content" data-testid="ArticleBody">
{body}
<div data-testid="paragraph-4" class="article-body__paragraph">Reporting by Chipo Banda; Writing by Peter Mwale; Editing by Helen Strand</div>
<div class="article-body__newsletter"><p>Sign up here.</p></div>
<p class="trust-badge">Our Standards: The Meridian Wire Trust Principles.</p>
</div>
<div class="article-body__licensing"><a href="/licensing">Purchase Licensing Rights</a></div>
<div class="article-body__author-bio"><p>Chipo Banda reports on mining and energy in southern Africa from Lusavo.</p></div>
</article>
<section class="read-next"><h2>Read Next</h2><ul><li><a href="/n1">Gold hits record as dollar slips</a></li><li><a href="/n2">Cobalt prices fall on Congo supply</a></li><li><a href="/n3">Zambia kwacha steadies after central bank move</a></li></ul></section></main>
<footer><p>All quotes delayed a minimum of 15 minutes. © 2025 Meridian Wire. All rights reserved.</p></footer></body></html>"""


def papertimes(title: str, paras: list[str]) -> str:
    a, b, c, d = paras
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - The Saltcote Times</title>
<meta property="og:title" content="{escape(title)}"><meta name="byl" content="By Ruth Calder"><meta property="article:published_time" content="2025-05-10T22:03:11.000Z"></head>
<body><div id="app"><header class="css-1d9ygp4"><a href="/">The Saltcote Times</a><nav><ul><li><a href="/section/local">Local</a></li><li><a href="/section/politics">Politics</a></li><li><a href="/section/business">Business</a></li><li><a href="/section/opinion">Opinion</a></li></ul></nav></header>
<main id="site-content"><article id="story" class="css-1vxca1d">
<header class="css-ky5sm"><h1 data-testid="headline" class="css-88wicj">{escape(title)}</h1>
<p id="article-summary" class="css-79rysd">Storms in 2023 had left commuters relying on a temporary landing.</p>
<figure class="css-1g6ch5f"><img src="/pier.jpg" alt=""><figcaption class="css-13ojx8c"><span class="css-jevhq3">Passengers boarding the first ferry from the rebuilt pier on Saturday.</span><span class="css-cnj6d5">Marcus Yee for The Saltcote Times</span></figcaption></figure>
<div class="css-1d8a290"><p class="css-aknsld">By <a href="/by/ruth-calder">Ruth Calder</a></p><time class="css-1sbuyqj">May 10, 2025</time></div></header>
<section name="articleBody" class="meteredContent css-1r7ky0e">
<div class="css-53u6y8"><p class="css-at9mc1">{escape(a)}</p><p class="css-at9mc1">{escape(b)}</p></div>
<div class="css-1rf0ohk"><div class="css-17xtcya"><p class="css-1bmp5wi">Advertisement</p><a href="#after-dfp-ad-mid1" class="css-1ly73wi">SKIP ADVERTISEMENT</a></div></div>
<div class="css-53u6y8"><p class="css-at9mc1">{escape(c)}</p><p class="css-at9mc1">{escape(d)}</p></div>
</section>
<div class="bottom-of-article"><p class="css-1h2e6to">A version of this article appears in print on May 11, 2025, Section A, Page 14 of the Saltcote edition with the headline: Pier Reopens After Storm Repairs. Order Reprints | Today's Paper | Subscribe</p></div>
</article>
<div id="related-links"><h2>Related Content</h2><ul><li><a href="/r1">Storm Damage Closes Saltcote Pier</a></li><li><a href="/r2">Commuters Weigh a Bus-Only Winter</a></li></ul></div></main>
<footer class="css-1e1s8k7"><nav><ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li><li><a href="/privacy">Privacy Policy</a></li><li><a href="/terms">Terms of Service</a></li></ul></nav><p>© 2025 The Saltcote Times Company</p></footer></div></body></html>"""


def joomla(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en-gb" dir="ltr"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="generator" content="Joomla! - Open Source Content Management"><meta name="author" content="Editor"></head>
<body class="site com_content view-article"><div class="container"><header class="header"><a class="brand" href="/">Holme Valley Voice</a><div class="header-search"><form><input type="text" placeholder="Search ..."></form></div></header>
<nav class="navigation"><ul class="nav menu mod-list"><li class="item-101 default"><a href="/">Home</a></li><li class="item-102"><a href="/news">News</a></li><li class="item-103"><a href="/whats-on">What's On</a></li><li class="item-104"><a href="/clubs">Clubs</a></li><li class="item-105"><a href="/contact">Contact</a></li></ul></nav>
<div class="row-fluid"><main id="content" role="main" class="span9">
<div class="item-page" itemscope itemtype="https://schema.org/Article">
<div class="page-header"><h2 itemprop="headline">{escape(title)}</h2></div>
<div class="icons"><div class="btn-group pull-right"><a class="btn dropdown-toggle" href="#">Print</a> <a href="#">Email</a></div></div>
<dl class="article-info muted"><dt class="article-info-term">Details</dt><dd class="createdby" itemprop="author">Written by <span itemprop="name">Margaret Lumb</span></dd><dd class="category-name">Category: <a href="/news">News</a></dd><dd class="published"><time datetime="2025-06-12T10:04:00+01:00" itemprop="datePublished">Published: 12 June 2025</time></dd><dd class="hits">Hits: 312</dd></dl>
<div itemprop="articleBody">
{_p(paras)}
<p>&nbsp;</p>
<p><em>Do you have news for the Voice? Email us at news@holmevalleyvoice.example or call 01484 600 123.</em></p>
</div>
<ul class="pager pagenav"><li class="previous"><a href="/news/p" rel="prev">Prev</a></li><li class="next"><a href="/news/n" rel="next">Next</a></li></ul>
</div></main>
<div id="aside" class="span3"><div class="moduletable"><h3>Latest News</h3><ul class="latestnews mod-list"><li><a href="/l1">Road closure for resurfacing on Station Road</a></li><li><a href="/l2">Cricket club wins league title</a></li><li><a href="/l3">Library book sale raises 600 pounds</a></li></ul></div></div></div>
<footer class="footer"><p>© 2025 Holme Valley Voice, a community news website run by volunteers.</p><p><a href="#top">Back to Top</a></p></footer></div></body></html>"""


def mediumlike(title: str, paras: list[str]) -> str:
    body = "\n".join(
        f'<p class="pw-post-body-paragraph lr ls fs lt b lu lv lw" data-selectable-paragraph="">{escape(p)}</p>'
        for p in paras
    )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | by Nadia Quist | Small Towns | May, 2025 | Medium</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Medium"><meta name="author" content="Nadia Quist">
<meta property="article:published_time" content="2025-05-21T08:31:44.120Z"></head>
<body><div id="root"><div class="a b c"><nav class="bh bi"><a href="/" aria-label="Homepage">Medium</a><div class="bj"><input placeholder="Search"></div><a href="/new-story">Write</a><a href="/m/signin">Sign in</a></nav>
<article><div class="l"><section><div class="gn go gp"><h1 data-testid="storyTitle" class="pw-post-title gu gv">{escape(title)}</h1>
<div class="speechify-ignore ab cp"><div class="pw-author ab"><a href="/@nadiaquist" rel="noopener follow">Nadia Quist</a><span>Follow</span></div>
<div class="ab"><span data-testid="storyReadTime">4 min read</span><span>·</span><span data-testid="storyPublishDate">May 21, 2025</span></div>
<div class="ab q"><span>312</span><span>7</span><button aria-label="Listen">Listen</button><button>Share</button></div></div>
{body}
</div></section></div></article>
<div class="speechify-ignore ab cp"><div class="ab"><span>Community</span><span>Small Business</span><span>Village Life</span></div>
<div class="ab q"><span>312</span><span>7</span></div>
<div class="ab"><h2 class="pw-author-name">Written by Nadia Quist</h2><span>1.2K Followers</span><p>Chair of the Ashwell community shop. Writing about small places doing big things.</p><button>Follow</button></div>
<div class="ab"><h2>More from Nadia Quist</h2><div><h3>Why our bus shelter has a library</h3><p>Twelve books and a kettle</p></div><div><h3>Running a pub quiz for 20 years</h3><p>The questions nobody gets right</p></div></div>
<div class="ab"><h2>Recommended from Medium</h2><div><h3>The five habits of people who never burn out</h3></div><div><h3>I quit social media for a year. Here is what happened.</h3></div></div></div>
<footer class="ab"><a href="/help">Help</a> <a href="/status">Status</a> <a href="/about">About</a> <a href="/careers">Careers</a> <a href="/blog">Blog</a> <a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer></div></div></body></html>"""


def gannettlike(title: str, paras: list[str]) -> str:
    a, b, c, d = paras
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Harlan Daily Register">
<meta name="description" content="More than 96,000 people visited the fair this year."><meta property="article:published_time" content="2025-08-25T20:15:00Z"></head>
<body><div class="gnt_n"><a class="gnt_n_logo" href="/">Harlan Daily Register</a><nav class="gnt_n_mn"><a href="/news/">News</a><a href="/sports/">Sports</a><a href="/entertainment/">Entertainment</a><a href="/opinion/">Opinion</a><a href="/obituaries/">Obituaries</a><a href="/eedition/">E-Edition</a><a href="/legals/">Legals</a></nav><a class="gnt_n_sub" href="/subscribe/">Subscribe</a></div>
<main class="gnt_cw"><article class="gnt_pr"><h1 class="gnt_ar_hl" elementtiming="ar-headline">{escape(title)}</h1>
<div class="gnt_ar_by"><a class="gnt_ar_by_a" href="/staff/1/dale-hopper/">Dale Hopper</a><div class="gnt_ar_by_j">Harlan Daily Register</div></div>
<div class="gnt_ar_dt" aria-label="Published: 3:15 p.m. CT Aug. 25, 2025">Published 3:15 p.m. CT Aug. 25, 2025</div>
<figure class="gnt_em gnt_em_img"><img src="/fair.jpg" alt=""><figcaption class="gnt_em_cp"><span class="gnt_em_cp_w">Crowds on the midway on the fair's final Saturday.</span><span class="gnt_em_cp_c">Dale Hopper/Harlan Daily Register</span></figcaption></figure>
<div class="gnt_ar_b">
<p class="gnt_ar_b_p">{escape(a)}</p>
<p class="gnt_ar_b_p">{escape(b)}</p>
<aside class="gnt_em gnt_em_nl"><div class="gnt_em_nl_t">Get the Daily Briefing newsletter</div><div class="gnt_em_nl_d">The day's top local news, every morning.</div><form><input type="email" placeholder="Email"><button>Sign up</button></form></aside>
<p class="gnt_ar_b_p">{escape(c)}</p>
<div class="gnt_ss gnt_ss_lc">Story continues below gallery</div>
<p class="gnt_ar_b_p">{escape(d)}</p>
<p class="gnt_ar_b_p"><em>Contributing: Lena Ortiz, Harlan Daily Register</em></p>
<p class="gnt_ar_b_p"><em>Reach Dale Hopper at dhopper@harlanregister.example or follow him on X @dalehopper.</em></p>
</div></article>
<div class="gnt_rr"><h2>Most popular</h2><ol><li><a href="/p1">Deputies investigate break-ins at storage units</a></li><li><a href="/p2">Football preview: five games to watch</a></li></ol></div></main>
<footer class="gnt_f"><a href="/contact/">Contact Us</a> <a href="/help/">Help</a> <a href="/privacy/">Privacy Policy</a> <a href="/terms/">Terms of Service</a> <a href="/privacy-choices/">Your Privacy Choices</a><p>© 2025 www.harlanregister.example. All rights reserved.</p></footer></body></html>"""


LAYOUTS = {
    "skylike": skylike,
    "reuterslike": reuterslike,
    "papertimes": papertimes,
    "joomla": joomla,
    "mediumlike": mediumlike,
    "gannettlike": gannettlike,
}


def main() -> None:
    for name, (title, paras) in STORIES.items():
        (HERE / f"{name}.html").write_text(LAYOUTS[name](title, paras) + "\n", encoding="utf-8")
        (HERE / f"{name}.article.txt").write_text("\n".join([title, *paras]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
