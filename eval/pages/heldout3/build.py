"""Write the third held-out set: five saved news pages written after round two, before round three.

Round two's changes were fitted on ``eval/pages`` and the first held-out set and
measured once on the second (eval/RESULTS.md); round three then looked at the second
set's leaks. These five pages were written and measured before round three's changes,
to say whether those generalise. Same sidecar rule as the other sets: headline, body
paragraphs and the body's own subheadings are article; standfirst, captions, credits,
bylines, datelines, promo, newsletter, "Read more", contact and credit lines, author
bios and comments are page. Run from the repo root:

    python eval/pages/heldout3/build.py
"""

from __future__ import annotations

from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent

STORIES: dict[str, tuple[str, list[str]]] = {
    "nextcms": (
        "Tram extension to the airport wins final approval",
        [
            "The government has given final approval to a 6.5 kilometre tram extension from Brennan Square to the airport, ending a planning process that began in 2019.",
            "Construction is expected to take three years and cost 410 million euros, with trams running every six minutes at peak times.",
            "The transport authority said the journey from the city centre would take 24 minutes, about half the time of the current bus at rush hour.",
            "Residents along the route on Carrig Road will be offered compensation for the loss of front gardens where the road is widened.",
        ],
    ),
    "gutenberg": (
        "Village pub saved by 600 shareholders reopens its doors",
        [
            "The Plough at Little Harwood reopened on Friday evening, eighteen months after it closed and two years after villagers began a campaign to buy it.",
            "More than 600 people bought shares worth a total of 395,000 pounds, and a government fund for community ownership added 250,000 pounds.",
            "The pub will be run by a tenant couple, Dev and Alice Moran, who previously ran a cafe in the nearby market town.",
            "The committee hopes to open a small shop in the old skittle alley next spring.",
        ],
    ),
    "reachlike": (
        "Car park to be turned into 120 homes in town centre plan",
        [
            "The multi-storey car park on Dean Street will be demolished and replaced by 120 flats under plans approved by the city council on Wednesday.",
            "A third of the homes will be for social rent, and the ground floor will have a health centre run by the local NHS trust.",
            "Traders had objected that the town would lose 340 parking spaces, but the council said the car park was rarely more than half full.",
            "Demolition is due to start in the autumn, and the first residents could move in by 2028.",
        ],
    ),
    "publicradio": (
        "Lake Orrin ice fishing season delayed by warm winter",
        [
            "The state natural resources department has delayed the opening of ice fishing on Lake Orrin after measurements found the ice only 2 inches thick near the public access points.",
            "At least 4 inches of clear ice is needed to hold a person on foot, and 8 to 12 inches for a snowmobile.",
            "Bait shops around the lake said January sales were down by more than half compared with last year.",
            "The department will measure the ice again on Friday and post an update on its website.",
        ],
    ),
    "pressrelease": (
        "New lifeguard patrols for three beaches this summer",
        [
            "Lifeguards will patrol Sandy Haven, Gull Point and Morrow Bay beaches every day from 24 May to 7 September, the district council has announced.",
            "The council has agreed a 95,000 pound contract with the regional lifesaving charity, which will provide 14 lifeguards across the three beaches.",
            "Gull Point has not had lifeguards since 2019, and two swimmers were rescued there by the coastguard last August.",
            "Councillor Rosa Finch said safe swimming zones between red and yellow flags would be marked at each beach.",
        ],
    ),
}


def _p(paras: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "\n".join(f"<p{attr}>{escape(p)}</p>" for p in paras)


def nextcms(title: str, paras: list[str]) -> str:
    a, b, c, d = paras
    para = "sc-eDvSVe kHbYHw"
    return f"""<!DOCTYPE html><html lang="en-IE"><head><meta charset="utf-8"><title>{escape(title)} – Capital Post</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Capital Post">
<meta property="article:published_time" content="2025-12-02T06:00:00Z"><meta name="author" content="Orla Kinsella"></head>
<body><div id="__next"><div class="sc-bcXHqe iXkzHB"><a href="/" class="sc-gswNZR fNjfPt">Capital Post</a><nav class="sc-dkrFOg hQbqfd"><a href="/news">News</a><a href="/business">Business</a><a href="/sport">Sport</a><a href="/culture">Culture</a><a href="/podcasts">Podcasts</a></nav><a href="/account">My account</a></div>
<main class="sc-hLBbgP jDUbeJ"><div class="sc-eDvSVe dLxkqF"><span class="sc-jSUZER gXaFdO">Transport</span>
<h1 class="sc-iBkjds fHkBxF">{escape(title)}</h1>
<p class="sc-ftvSup hOvbMn">The line will halve the journey time from the city centre, the transport authority says</p>
<div class="sc-papXJ cNHsVj"><span class="sc-fnykZs dYiSuR">Orla Kinsella</span><span class="sc-fEOsli bBXnUu">Transport Correspondent</span><span class="sc-bjUoiL eJuNlv">Tue Dec 02 2025 - 06:00</span></div>
<div class="sc-idiyUo fTUBxy"><button class="sc-dIouRR kFvBWq">Listen to this article</button><span>4 min</span></div>
<div class="sc-hHTYSt kYcHQy"><img src="/tram.jpg" alt=""><span class="sc-kDDrLX eDLvJd">An artist's impression of the tram stop at the airport terminal. Image: Transport Authority</span></div>
<div class="sc-cCsOjp gEdXpV">
<p class="{para}">{escape(a)}</p>
<p class="{para}">{escape(b)}</p>
<div class="sc-ciZhAO hxOUlD"><span class="sc-jdAMXn cpMwFj">Advertisement</span></div>
<p class="{para}">{escape(c)}</p>
<p class="{para}">{escape(d)}</p>
</div>
<div class="sc-hBxehG gVNcYm"><h2 class="sc-fbYMXx fYQbNF">Most Read</h2><ol><li><a href="/m1">Storm warning issued for west coast</a></li><li><a href="/m2">Budget 2026: what it means for renters</a></li><li><a href="/m3">Rugby: five changes for Saturday's test</a></li></ol></div>
</div></main>
<footer class="sc-eKBdFk kKvBMv"><p>© 2025 Capital Post Media DAC. Registered in Ireland.</p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a> <a href="/cookies">Cookie settings</a></footer></div></body></html>"""


def gutenberg(title: str, paras: list[str]) -> str:
    a, b, c, d = paras
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>{escape(title)} &#8211; Harwood Valley Herald</title>
<meta name="generator" content="WordPress 6.7"><meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Harwood Valley Herald">
<meta property="article:published_time" content="2025-11-14T17:20:00+00:00"><link rel="canonical" href="https://harwoodherald.example/2025/11/14/plough-reopens/"></head>
<body class="wp-singular post-template-default single single-post wp-embed-responsive">
<div class="wp-site-blocks"><header class="wp-block-template-part"><div class="wp-block-group"><p class="wp-block-site-title"><a href="/">Harwood Valley Herald</a></p>
<nav class="wp-block-navigation"><ul class="wp-block-navigation__container"><li class="wp-block-navigation-item"><a href="/news/">News</a></li><li class="wp-block-navigation-item"><a href="/events/">Events</a></li><li class="wp-block-navigation-item"><a href="/letters/">Letters</a></li><li class="wp-block-navigation-item"><a href="/about/">About</a></li></ul></nav></div></header>
<main class="wp-block-group"><div class="wp-block-group">
<h1 class="wp-block-post-title">{escape(title)}</h1>
<div class="wp-block-post-date"><time datetime="2025-11-14T17:20:00+00:00">14 November 2025</time></div>
<div class="wp-block-post-author"><div class="wp-block-post-author__content"><p class="wp-block-post-author__name">Helen Marsh</p></div></div>
<div class="entry-content wp-block-post-content">
<p>{escape(a)}</p>
<p>{escape(b)}</p>
<div class="wp-block-group has-pale-cyan-blue-background-color"><h3 class="wp-block-heading">Never miss a story</h3><p>Get the Herald in your inbox every Friday. It's free.</p><div class="wp-block-jetpack-subscriptions"><form><input type="email" placeholder="Type your email…"><button>Subscribe</button></form></div></div>
<p>{escape(c)}</p>
<p>{escape(d)}</p>
<p><em>The Plough is open from noon until 11pm, Tuesday to Sunday.</em></p>
<div id="jp-post-flair" class="sharedaddy sd-like-enabled"><div class="sharedaddy sd-block sd-like"><h3 class="sd-title">Like this:</h3><div class="likes-widget-placeholder"><span class="loading">Loading…</span></div></div></div>
</div>
<div class="wp-block-post-terms"><a href="/category/community/" rel="tag">Community</a>, <a href="/category/pubs/" rel="tag">Pubs</a></div>
<div class="wp-block-comments"><h2 class="wp-block-comments-title">One response</h2><ol class="wp-block-comment-template"><li class="comment"><div class="wp-block-comment-content"><p>Had a pint on Friday, it was like it had never closed.</p></div></li></ol>
<div class="wp-block-post-comments-form"><h3>Leave a Reply</h3><form><textarea></textarea><input type="submit" value="Post Comment"></form></div></div>
</div></main>
<footer class="wp-block-template-part"><div class="wp-block-group"><p>Harwood Valley Herald is an independent, volunteer-run community paper.</p><p>Designed with WordPress</p></div></footer></div></body></html>"""


def reachlike(title: str, paras: list[str]) -> str:
    a, b, c, d = paras
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - Tynemouth Live</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Tynemouth Live"><meta property="article:published_time" content="2025-07-16T15:44:00+01:00"><meta name="author" content="Karl Hume"></head>
<body><div class="mod-header"><a href="/" class="logo">Tynemouth Live</a><ul class="primary-nav"><li><a href="/news/">News</a></li><li><a href="/sport/">Sport</a></li><li><a href="/whats-on/">What's On</a></li><li><a href="/all-about/">All About</a></li><li><a href="/jobs/">Jobs</a></li></ul></div>
<main class="mod-article"><article itemscope itemtype="http://schema.org/NewsArticle"><div class="article-header">
<h1 itemprop="headline">{escape(title)}</h1><p class="sub-title" itemprop="description">Traders fear losing 340 parking spaces on Dean Street</p>
<div class="article-information"><span class="author"><a href="/authors/karl-hume/">Karl Hume</a> Local Democracy Reporter</span><ul class="time-info"><li><time datetime="2025-07-16T15:44:00+01:00">15:44, 16 Jul 2025</time></li></ul></div></div>
<div class="article-body" itemprop="articleBody">
<p>{escape(a)}</p>
<div class="inline-related"><h3>Read More</h3><ul><li><a href="/news/r1">Tynemouth market traders say footfall is down a fifth</a></li></ul></div>
<p>{escape(b)}</p>
<p>{escape(c)}</p>
<div class="newsletter-widget"><form><p><strong>Get the biggest stories from Tynemouth sent straight to your inbox with our free newsletter</strong></p><input type="email"><button>Subscribe</button><p>We use your sign-up to provide content in ways you've consented to and improve our understanding of you.</p></form></div>
<p>{escape(d)}</p>
<p><strong>Do you have a story to share? Email newsdesk@tynemouthlive.example</strong></p>
</div>
<div class="article-tags"><span>Follow Tynemouth Live:</span> <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Instagram</a></div>
</article>
<div class="most-read"><h2>Most Read</h2><ol><li><a href="/mr1">Coast road closed after crash</a></li><li><a href="/mr2">New Greggs to open at metro station</a></li><li><a href="/mr3">Beach warning after jellyfish sightings</a></li></ol></div></main>
<div class="mod-footer"><p>Tynemouth Live is part of Northern Media Group. © 2025 a Northern Media Group company. All rights reserved. Contact us · Terms · Privacy · Corrections and clarifications</p></div></body></html>"""


def publicradio(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Northwoods Public Radio</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Northwoods Public Radio">
<meta property="article:published_time" content="2026-01-14T21:30:00Z"></head>
<body><div class="Page-header"><a class="Page-logo" href="/">Northwoods Public Radio</a><div class="Page-header-stream"><button>Listen Live</button><span>On air now: All Things Considered</span></div>
<nav class="Page-header-nav"><ul><li><a href="/news">News</a></li><li><a href="/programs">Programs</a></li><li><a href="/schedule">Schedule</a></li><li><a href="/events">Events</a></li></ul></nav><a class="Page-header-donate" href="/donate">Donate</a></div>
<main class="Page-main"><article class="ArticlePage"><div class="ArticlePage-section"><a href="/news/environment">Environment</a></div>
<h1 class="ArticlePage-headline">{escape(title)}</h1>
<div class="ArticlePage-authors"><div class="ArticlePage-authorName">Erik Lindqvist</div><div class="ArticlePage-datePublished">Published January 14, 2026 at 3:30 PM CST</div></div>
<div class="AudioEnhancement"><div class="AudioEnhancement-title">Listen · 3:42</div></div>
<div class="RichTextArticleBody RichTextBody">
{_p(paras)}
<p>Copyright 2026 Northwoods Public Radio</p>
</div>
<div class="ArticlePage-tags"><span>Tags</span> <a href="/tags/fishing">Fishing</a> <a href="/tags/weather">Weather</a></div>
<div class="ArticlePage-pledge"><p>Local news is a public service. Your gift keeps reporting like this free for everyone in the Northwoods.</p><a href="/donate">Give now</a></div>
</article>
<div class="ListPromo"><h2>Related Stories</h2><ul><li><a href="/r1">Snowmobile trails stay closed as thaw continues</a></li><li><a href="/r2">Warm winter worries maple syrup producers</a></li></ul></div></main>
<footer class="Page-footer"><p>Northwoods Public Radio is a service of the Northwoods Educational Broadcasting Corporation.</p><p>Public Inspection File · Contact · Careers · Privacy Policy</p></footer></body></html>"""


def pressrelease(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)} | Kestrel District Council</title>
<meta name="DC.date.issued" content="2025-04-30"></head>
<body class="govuk-template__body"><a href="#main-content" class="govuk-skip-link">Skip to main content</a>
<div class="govuk-header"><a href="/" class="govuk-header__link">Kestrel District Council</a><ul class="govuk-header__navigation"><li><a href="/bins">Bins and recycling</a></li><li><a href="/council-tax">Council tax</a></li><li><a href="/planning">Planning</a></li><li><a href="/news">News</a></li></ul></div>
<div class="govuk-width-container"><div class="govuk-breadcrumbs"><ol><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li>Press releases</li></ol></div>
<main id="main-content" class="govuk-main-wrapper"><h1 class="govuk-heading-xl">{escape(title)}</h1>
<p class="govuk-body-s">Press release issued 30 April 2025</p>
<div class="govuk-body">
{_p(paras)}
<p>ENDS</p>
<h2>Media enquiries</h2>
<p>Kestrel District Council press office, 01632 960 441, press@kestrel.example</p>
</div>
<div class="govuk-feedback"><h2>Is this page useful?</h2><button>Yes</button><button>No</button><a href="/report">Report a problem with this page</a></div></main></div>
<footer class="govuk-footer"><ul><li><a href="/accessibility">Accessibility</a></li><li><a href="/cookies">Cookies</a></li><li><a href="/privacy">Privacy notice</a></li><li><a href="/contact">Contact us</a></li></ul><p>All content is available under the Open Government Licence v3.0, except where otherwise stated.</p></footer></body></html>"""


LAYOUTS = {
    "nextcms": nextcms,
    "gutenberg": gutenberg,
    "reachlike": reachlike,
    "publicradio": publicradio,
    "pressrelease": pressrelease,
}


def main() -> None:
    for name, (title, paras) in STORIES.items():
        (HERE / f"{name}.html").write_text(LAYOUTS[name](title, paras) + "\n", encoding="utf-8")
        (HERE / f"{name}.article.txt").write_text("\n".join([title, *paras]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
