"""Write the held-out boilerplate pages: nine saved news pages written before any tuning on them.

Like ``eval/pages/build.py``, every page is a made-up local news story wrapped in the
chrome of one kind of site, and ``NAME.article.txt`` lists its true article, one
paragraph per line, headline first. The rule for what is article is the tuning set's:
headline, body paragraphs and the body's own subheadings (a live blog's entry
headlines) are article; standfirst, photo captions and credits, bylines, datelines'
timestamps, "Read more"/"Most popular"/newsletter boxes, author bios, wire credit lines
and comments are page. These pages were written and measured before the extractor was
changed, and round one was not tuned on them; round two looked at their leaks, so
they are blind only for round one (eval/RESULTS.md). Run from the repo root:

    python eval/pages/heldout/build.py
"""

from __future__ import annotations

from html import escape
from pathlib import Path

HERE = Path(__file__).resolve().parent

STORIES: dict[str, tuple[str, list[str]]] = {
    "arc": (
        "State auditor finds school bus contract was awarded without bids",
        [
            "The state auditor said Tuesday that the Marlow County school district handed a 7.8 million dollar bus contract to a single company without seeking competing bids, breaking its own purchasing rules.",
            "The report found that district officials extended an emergency contract signed during a driver shortage in 2022 four times, each time without a vote of the school board.",
            "Superintendent Teresa Vance said the district would put the contract out to tender in January and had already changed who can sign emergency purchases.",
            "The bus company, Redline Transit, said in a statement that it had met every term of its contract and welcomed the chance to bid.",
            "Board member Luis Arroyo said he had asked for the contract papers twice last year and was told they were not ready.",
        ],
    ),
    "guardian": (
        "Seagrass meadow planted off Penmorfa shows first signs of spreading",
        [
            "A seagrass meadow planted three years ago in the bay at Penmorfa has begun to spread on its own, marine scientists say, with new shoots found up to 40 metres from the original plots.",
            "Volunteers planted about 750,000 seeds by hand in 2022, packing them into hessian bags that were dropped from small boats at low tide.",
            "Divers surveying the site in September counted an average of 180 shoots per square metre, close to the density of natural meadows nearby.",
            "Dr Ffion Rowlands of the university's marine centre said the meadow now stored carbon and sheltered young fish, including juvenile pollack and cuttlefish.",
            "The project hopes to plant a further ten hectares along the coast before 2028, if funding from the national lottery is renewed.",
        ],
    ),
    "bbc": (
        "Ferry fares to the islands to be frozen for two years",
        [
            "Ferry fares to the northern isles will be frozen until at least April 2027, the transport minister has announced.",
            "The freeze covers passenger and car fares on all 14 routes run by the state-owned operator, but not freight.",
            "Island councils had warned that a planned rise of 9 percent would hit families and small businesses already facing higher fuel costs.",
            "Minister Alasdair Gunn said the freeze would cost the government about 4 million pounds a year.",
            "The operator's two new vessels, due in service last year, are still being built and are not now expected until the summer.",
        ],
    ),
    "apwire": (
        "Wildfire near Cedar Hollow forces evacuation of 300 homes",
        [
            "CEDAR HOLLOW (AP) - A wildfire driven by strong winds forced the evacuation of about 300 homes in the foothills east of Cedar Hollow on Sunday, fire officials said.",
            "The fire had burned about 2,400 acres by evening and was 5 percent contained, according to the state forestry department.",
            "No injuries were reported, but at least two barns and an empty cabin were destroyed.",
            "Residents were told to go to an emergency shelter set up at the Cedar Hollow high school gym.",
            "Crews expected calmer winds overnight but warned that gusts of up to 50 miles per hour could return on Monday afternoon.",
        ],
    ),
    "localtable": (
        "Creamery to close after 97 years as milk price falls",
        [
            "The Ardvane creamery, which has made butter and cheese in the town since 1928, will close at the end of January, its owners told staff on Friday.",
            "Twenty-six people work at the creamery, and the co-operative said it would help them find jobs with other dairies in the county.",
            "Chairman Eamon Tully said the price paid for milk had fallen by a quarter in two years while energy bills had tripled.",
            "The 41 farmers who supply the creamery will send their milk to the larger plant at Kilbride from February.",
        ],
    ),
    "liveblog2": (
        "Marathon day: road closures and results as it happened",
        [
            "Runners set off from Castle Square",
            "The elite field set off on time at 9am in cool, dry conditions, followed by about 11,000 club and charity runners in waves.",
            "Course record falls in the women's race",
            "Grace Wanjiru won the women's race in 2 hours 24 minutes and 10 seconds, beating the course record set in 2019 by almost a minute.",
            "Roads reopen in the city centre",
            "The police said all roads in the city centre had reopened by 4pm, apart from Bridge Street, where barriers are still being cleared.",
        ],
    ),
    "amp2": (
        "Town's last bank branch to become a shared banking hub",
        [
            "The last bank branch in Glenrothay will close in March and be replaced by a shared banking hub run by the post office, the banks announced on Thursday.",
            "Customers of any of the five major banks will be able to pay in cash and cheques at the hub, and each bank will send staff on one day a week.",
            "Local councillor Morag Lindsay said the hub was better than nothing but that older residents would miss having a manager they knew.",
            "The nearest other branch is 23 miles away in Dunkeld.",
        ],
    ),
    "newswp": (
        "Recycling centre to open on Sundays after petition",
        [
            "The household recycling centre at Fenwick Road will open on Sundays from next month after more than 4,000 people signed a petition asking for weekend hours.",
            "The council's environment committee agreed on Monday to hire two extra staff at a cost of 61,000 pounds a year.",
            "Committee chair Priya Natarajan said fly-tipping on country lanes had risen by a third since Sunday opening was stopped in 2023.",
            "The centre will open from 9am to 4pm on Sundays, and booking a slot online will no longer be required.",
        ],
    ),
    "regional": (
        "Mountain rescue team gets new base after 30 years in a garage",
        [
            "The Dunford Valley mountain rescue team has moved into a purpose-built base after three decades of working from a rented garage behind the fire station.",
            "The 1.1 million pound building has a drying room for wet kit, a garage for three vehicles and a control room linked to the ambulance service.",
            "Team leader Morwenna Hale said volunteers used to change in the street and store stretchers in a shipping container.",
            "Most of the money came from a legacy left by a walker the team rescued in 1998, with the rest raised by a sponsored climb of all the valley's peaks.",
            "The team was called out 112 times last year, mostly to walkers who were lost or injured on the high fells.",
        ],
    ),
}


def _paragraphs(paras: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return "\n".join(f"<p{attr}>{escape(p)}</p>" for p in paras)


def arc(title: str, paras: list[str]) -> str:
    body = []
    for i, p in enumerate(paras):
        body.append(
            f'<div class="article-body" data-qa="article-body"><p data-el="text" class="font-copy">{escape(p)}</p></div>'
        )
        if i == 1:
            body.append(
                '<div class="interstitial-link" data-qa="interstitial-link"><p><b>Read more:</b> <a href="/local/education/2025/10/02/bus-driver-shortage/">Bus driver shortage leaves hundreds of students waiting</a></p></div>'
            )
        if i == 2:
            body.append(
                '<div data-qa="newsletter-signup" class="newsletter-inline"><h3>Local Headlines</h3><p>The biggest stories from Marlow County, in your inbox every weekday morning.</p><input type="email" aria-label="Email address"><button>Sign up</button></div>'
            )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} - The Marlow Courier</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="The Marlow Courier">
<meta name="description" content="The district extended an emergency contract four times without a vote of the school board.">
<meta property="article:published_time" content="2025-11-18T14:31:05.012Z">
<link rel="canonical" href="https://marlowcourier.example/local/education/2025/11/18/school-bus-contract-audit/">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{escape(title)}","datePublished":"2025-11-18T14:31:05.012Z","author":[{{"@type":"Person","name":"Dana Whitfield"}}]}}</script>
<script id="fusion-metadata" type="application/javascript">window.Fusion=window.Fusion||{{}};Fusion.arcSite="courier";</script></head>
<body><div id="fusion-app"><header class="site-header" data-qa="site-header"><button aria-label="Sections">Sections</button><a href="/" data-qa="logo">The Marlow Courier</a>
<div class="header-actions"><a href="/subscribe/">Subscribe</a><a href="/login/">Sign in</a></div></header>
<nav class="site-nav" data-qa="sc-nav"><ul><li><a href="/local/">Local</a></li><li><a href="/politics/">Politics</a></li><li><a href="/business/">Business</a></li><li><a href="/sports/">Sports</a></li><li><a href="/opinions/">Opinions</a></li><li><a href="/weather/">Weather</a></li></ul></nav>
<main><div class="grid-layout"><div class="main-content">
<div data-qa="headline-kicker" class="kicker"><a href="/local/education/">Education</a></div>
<h1 data-qa="headline" class="headline">{escape(title)}</h1>
<h2 data-qa="subheadline" class="subheadline">The district extended an emergency contract four times without a vote of the school board</h2>
<div data-qa="author-byline" class="byline">By <a href="/people/dana-whitfield/" rel="author">Dana Whitfield</a></div>
<div data-qa="timestamp" class="display-date"><span>November 18, 2025 at 9:31 a.m. EST</span></div>
<div class="share-bar" data-qa="share-bar"><button>Gift Article</button><button>Share</button><button>Comment 87</button><button>Save</button></div>
<figure class="lead-art" data-qa="lead-art"><img src="/img/buses.jpg" alt="Yellow school buses parked in a depot"><figcaption data-qa="caption">School buses at the Redline Transit depot in Marlow on Monday. <span class="credit">(Photo by Chris Beale for The Marlow Courier)</span></figcaption></figure>
<div class="article-body-wrapper">
{chr(10).join(body)}
</div>
<div class="author-bio" data-qa="author-bio"><p><a href="/people/dana-whitfield/">Dana Whitfield</a> covers schools and county government for The Marlow Courier. She joined the paper in 2019 from a public radio station.</p></div>
<div class="comments-entry" data-qa="comments-btn"><button>View 87 Comments</button></div>
</div>
<aside class="right-rail" data-qa="right-rail"><div class="most-read"><h2>Most Read Local</h2><ol><li><a href="/m1">Developer drops plan for 400 homes on golf course</a></li><li><a href="/m2">Restaurant inspections: 6 places cited this week</a></li><li><a href="/m3">Snow possible on higher ground by Friday</a></li></ol></div></aside>
</div></main>
<footer class="site-footer"><ul><li><a href="/about/">About The Courier</a></li><li><a href="/contact/">Contact the newsroom</a></li><li><a href="/privacy/">Privacy policy</a></li><li><a href="/terms/">Terms of service</a></li></ul><p>© 1996-2025 The Marlow Courier</p></footer>
</div></body></html>"""


def guardian(title: str, paras: list[str]) -> str:
    body = []
    for i, p in enumerate(paras):
        body.append(f'<p class="dcr-s3ycb2">{escape(p)}</p>')
        if i == 1:
            body.append(
                '<figure data-spacefinder-role="inline" class="dcr-figure"><img src="/img/divers.jpg" alt="A diver above seagrass">'
                '<figcaption class="dcr-caption"><span class="dcr-caption-text">A diver counts shoots in one of the survey squares in September.</span> Photograph: Tomos Evans/Coastal Trust</figcaption></figure>'
            )
        if i == 2:
            body.append(
                '<aside data-spacefinder-role="supporting" class="dcr-rich-link"><div class="rich-link"><span>Related: </span><a href="/environment/2024/jun/02/kelp-forest-recovery">Kelp forests return to Sussex coast after trawling ban</a></div></aside>'
            )
            body.append(
                '<div data-print-layout="hide" class="dcr-newsletter-signup"><p class="dcr-newsletter-title">Sign up to Down to Earth</p><p>The planet\'s most important stories. Get all the week\'s environment news - the good, the bad and the essential</p><p>Privacy Notice: Newsletters may contain info about charities, online ads, and content funded by outside parties.</p><button>Sign up</button><p>after newsletter promotion</p></div>'
            )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Environment | The Western Chronicle</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="The Western Chronicle">
<meta property="article:published_time" content="2025-10-21T05:00:10.000Z"><meta property="article:author" content="https://westernchronicle.example/profile/carys-morgan">
<meta name="author" content="Carys Morgan"><link rel="canonical" href="https://westernchronicle.example/environment/2025/oct/21/seagrass-meadow-penmorfa-spreading"></head>
<body><div id="bannerandheader"><div class="dcr-support-banner"><p>Support the Western Chronicle. Fund independent journalism with 1 pound per month.</p><a href="/support">Support us</a></div>
<header><a href="/" class="dcr-logo">The Western Chronicle</a><nav aria-label="Guardian sections" class="dcr-pillars"><ul><li><a href="/">News</a></li><li><a href="/commentisfree">Opinion</a></li><li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li><li><a href="/lifeandstyle">Lifestyle</a></li></ul></nav>
<nav class="dcr-subnav"><ul><li><a href="/world">World</a></li><li><a href="/uk-news">UK</a></li><li><a href="/environment">Environment</a></li><li><a href="/science">Science</a></li><li><a href="/global-development">Global development</a></li></ul></nav></header></div>
<main data-layout="StandardLayout"><article class="dcr-article">
<div class="dcr-section-label"><a href="/environment/marine-life">Marine life</a></div>
<div data-gu-name="headline"><h1 class="dcr-headline">{escape(title)}</h1></div>
<div data-gu-name="standfirst" class="dcr-standfirst"><p>Shoots found up to 40 metres from plots seeded by volunteers in 2022, in what scientists call a turning point for the project</p></div>
<div data-gu-name="media"><figure class="dcr-main-media"><img src="/img/seagrass.jpg" alt="Seagrass at low tide"><figcaption class="dcr-caption"><span class="dcr-caption-text">The seagrass meadow at Penmorfa at low tide.</span> Photograph: Gareth Pugh/The Western Chronicle</figcaption></figure></div>
<div data-gu-name="meta" class="dcr-meta"><address aria-label="Contributor info"><a rel="author" href="/profile/carys-morgan">Carys Morgan</a> Wales environment correspondent</address><details class="dcr-dateline"><summary>Tue 21 Oct 2025 06.00 BST</summary></details>
<div class="dcr-share"><a href="#">Share on Facebook</a><a href="#">Share on X</a><a href="#">Share via Email</a></div></div>
<div data-gu-name="body" class="article-body-commercial-selector article-body-viewer-selector dcr-body">
{chr(10).join(body)}
</div>
<div class="dcr-submeta"><span>Explore more on these topics</span><ul><li><a href="/environment/marine-life">Marine life</a></li><li><a href="/uk/wales">Wales</a></li><li><a href="/environment/conservation">Conservation</a></li></ul><a href="#">Reuse this content</a></div>
<div id="slot-body-end" class="dcr-epic"><h2>Before you move on</h2><p>We have no shareholders and no billionaire owner. Just the determination to report the stories that matter. Will you support us today?</p><a href="/contribute">Support us</a></div>
</article>
<section data-component="most-popular" class="dcr-most-viewed"><h2>Most viewed</h2><ol><li><a href="/mv1">Storm Bram: trains cancelled across the west as winds reach 80mph</a></li><li><a href="/mv2">The 20 best walks on the Welsh coast</a></li><li><a href="/mv3">Council tax to rise by 6 percent in most of Wales</a></li></ol></section>
<section class="dcr-comments"><h2>Comments (214)</h2><p>This discussion is now closed for comments but you can still sign in or create your account to join the discussion when it's back</p>
<div class="comment"><p>Brilliant news. We swam over it in August and saw a seahorse.</p></div></section>
</main><footer class="dcr-footer"><ul><li><a href="/about">About us</a></li><li><a href="/help">Help</a></li><li><a href="/complaints">Complaints and corrections</a></li><li><a href="/privacy">Privacy policy</a></li><li><a href="/cookies">Cookie policy</a></li></ul><p>© 2025 Western Chronicle Media Group. All rights reserved.</p></footer></body></html>"""


def bbc(title: str, paras: list[str]) -> str:
    blocks = []
    for i, p in enumerate(paras):
        blocks.append(
            f'<div data-component="text-block" class="ssrcss-11r1m41-RichTextComponentWrapper"><div class="ssrcss-7uxr49-RichTextContainer"><p class="ssrcss-1q0x1qg-Paragraph">{escape(p)}</p></div></div>'
        )
        if i == 1:
            blocks.append(
                '<div data-component="image-block" class="ssrcss-1ocoo3l-Wrap"><figure><img src="/img/ferry.jpg" alt="A ferry leaving harbour"><span class="ssrcss-1p0f5xh-Copyright">Getty Images</span><figcaption class="ssrcss-1qp2t4m-StyledFigureCaption">The freeze applies to all 14 routes operated by the state-owned company</figcaption></figure></div>'
            )
        if i == 3:
            blocks.append(
                '<div data-component="links-block" class="ssrcss-1ocoo3l-Wrap"><h2>More on this story</h2><ul><li><a href="/news/articles/c1">Island ferry delays: what went wrong?</a></li><li><a href="/news/articles/c2">New ferries will be two years late</a></li></ul></div>'
            )
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)} - North Broadcasting News</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="North Broadcasting News">
<meta name="description" content="The freeze covers passenger and car fares on all 14 state-owned routes.">
<script type="application/ld+json">{{"@context":"http://schema.org","@type":"ReportageNewsArticle","headline":"{escape(title)}","datePublished":"2025-09-03T11:12:44.000Z","publisher":{{"@type":"NewsMediaOrganization","name":"North Broadcasting News"}}}}</script></head>
<body><div id="orb-banner"><a href="/">North Broadcasting</a><nav class="orb-nav"><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li><li><a href="/iplayer">Watch</a></li><li><a href="/sounds">Sounds</a></li></ul></nav><a href="/account">Register</a> <a href="/signin">Sign In</a></div>
<div class="ssrcss-news-nav"><nav><ul><li><a href="/news">Home</a></li><li><a href="/news/politics">Politics</a></li><li><a href="/news/scotland">Scotland</a></li><li><a href="/news/business">Business</a></li><li><a href="/news/climate">Climate</a></li></ul></nav></div>
<div id="main-wrapper"><main id="main-content" role="main"><article class="ssrcss-pv1rh6-ArticleWrapper">
<header data-component="headline-block"><h1 id="main-heading" class="ssrcss-15xko80-StyledHeading">{escape(title)}</h1></header>
<div data-component="byline-block" class="ssrcss-68pt20-Text-TextContributorName"><time datetime="2025-09-03T11:12:44.000Z">3 September 2025</time><div><span>Iona MacRae</span><span>Highlands and Islands reporter</span></div></div>
<div data-component="image-block"><figure><img src="/img/lead.jpg" alt="Ferry at the pier"><span class="ssrcss-1p0f5xh-Copyright">PA Media</span><figcaption class="ssrcss-1qp2t4m-StyledFigureCaption">Island councils had lobbied against a planned 9 percent rise</figcaption></figure></div>
{chr(10).join(blocks)}
<div data-component="topic-list" class="ssrcss-1qmkvfu-TopicListWrapper"><h2>Related topics</h2><ul><li><a href="/news/topics/ferries">Ferries</a></li><li><a href="/news/topics/islands">Scottish islands</a></li><li><a href="/news/topics/transport">Transport</a></li></ul></div>
</article>
<section data-component="related-content" class="ssrcss-related"><h2>More from North Broadcasting News</h2><ul><li><a href="/r1"><span>Fishing boat crew rescued off Barra</span></a></li><li><a href="/r2"><span>Whisky distillery plans new visitor centre</span></a></li></ul></section>
<section class="ssrcss-most-read" data-component="most-read"><h2>Most read</h2><ol><li><a href="/mr1">Snow gates closed on A9 as winter arrives early</a></li><li><a href="/mr2">Hospital waiting times at record high</a></li><li><a href="/mr3">Tributes paid to veteran fiddler</a></li></ol></section>
</main></div>
<footer id="orb-footer"><ul><li><a href="/terms">Terms of Use</a></li><li><a href="/about">About the NBN</a></li><li><a href="/privacy">Privacy Policy</a></li><li><a href="/cookies">Cookies</a></li><li><a href="/contact">Contact the NBN</a></li></ul><p>Copyright 2025 North Broadcasting. The NBN is not responsible for the content of external sites. Read about our approach to external linking.</p></footer></body></html>"""


def apwire(title: str, paras: list[str]) -> str:
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Allied Press News</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Allied Press News">
<meta property="article:published_time" content="2025-08-24T23:41:00Z"><meta name="author" content="Marcus Lee">
<link rel="canonical" href="https://alliedpress.example/article/wildfire-cedar-hollow-evacuation-4f2a9c"></head>
<body><div class="Page-header"><a class="Page-header-logo" href="/">Allied Press</a>
<nav class="Page-header-navigation"><ul><li><a href="/us-news">U.S. News</a></li><li><a href="/world-news">World News</a></li><li><a href="/politics">Politics</a></li><li><a href="/sports">Sports</a></li><li><a href="/entertainment">Entertainment</a></li><li><a href="/business">Business</a></li><li><a href="/science">Science</a></li></ul></nav>
<a class="Page-header-donate" href="/donate">Donate</a></div>
<main class="Page-main"><div class="Page-content"><bsp-story-page class="StoryPage">
<div class="Page-headline"><h1 class="Page-headline">{escape(title)}</h1></div>
<div class="Page-byline"><div class="Page-authors">By <a href="/author/marcus-lee">MARCUS LEE</a></div><bsp-timestamp class="Page-dateModified">Updated 7:41 PM EDT, August 24, 2025</bsp-timestamp></div>
<div class="Page-actions"><a href="#">Share</a><a href="#">Copy Link copied</a><a href="#">Email</a><a href="#">Facebook</a><a href="#">X</a><a href="#">Reddit</a><a href="#">LinkedIn</a><a href="#">Pinterest</a></div>
<figure class="Figure"><img src="/img/fire.jpg" alt="Smoke rises over hills"><figcaption class="Figure-caption"><div class="CarouselSlide-infoDescription"><p>Smoke rises from a wildfire in the hills east of Cedar Hollow, Sunday, Aug. 24, 2025.</p></div><div class="Figure-credit">(AP Photo/Jenna Ortiz)</div></figcaption></figure>
<div class="RichTextStoryBody RichTextBody">
{_paragraphs(paras)}
<p>___</p>
<p>Associated Press writer Kim Dalton in Salt Lake City contributed to this report.</p>
<div class="Enhancement"><div class="Page-content-enhancement"><p>Follow AP's coverage of wildfires at <a href="/hub/wildfires">https://alliedpress.example/hub/wildfires</a>.</p></div></div>
</div>
<div class="Page-authorInfo"><div class="Page-authorInfo-name">MARCUS LEE</div><div class="Page-authorInfo-bio">Lee covers the West for Allied Press, based in Boise, Idaho.</div><a href="https://x.example/mleeap">twitter</a><a href="mailto:mlee@alliedpress.example">mailto</a></div>
</bsp-story-page>
<div class="PageListRightRailA"><h2 class="PageList-header-title">Most Read</h2><ul><li><a href="/mr1">Lottery jackpot climbs to 640 million dollars after no winner</a></li><li><a href="/mr2">Hurricane season forecast raised</a></li><li><a href="/mr3">Train derails in Ohio; no injuries reported</a></li></ul></div>
</div></main>
<footer class="Page-footer"><p>Copyright 2025 Allied Press. All Rights Reserved.</p><ul><li><a href="/about">About</a></li><li><a href="/contact">Contact Us</a></li><li><a href="/accessibility">Accessibility Statement</a></li><li><a href="/terms">Terms of Use</a></li><li><a href="/privacy">Privacy Policy</a></li><li><a href="/privacy-settings">Do Not Sell or Share My Personal Information</a></li></ul></footer></body></html>"""


def localtable(title: str, paras: list[str]) -> str:
    return f"""<HTML><HEAD><TITLE>Ardvane Weekly Herald - News</TITLE>
<META NAME="keywords" CONTENT="Ardvane, news, creamery, dairy"></HEAD>
<BODY BGCOLOR="#FFFFFF" LINK="#003366">
<TABLE WIDTH="760" BORDER="0" CELLPADDING="0" CELLSPACING="0"><TR><TD COLSPAN="2" BGCOLOR="#003366"><FONT COLOR="#FFFFFF" SIZE="5"><B>The Ardvane Weekly Herald</B></FONT><BR><FONT COLOR="#FFFFFF" SIZE="2">Serving Ardvane and district since 1911 | Thursday, 16 January 2025</FONT></TD></TR>
<TR><TD WIDTH="150" VALIGN="TOP" BGCOLOR="#EEEEEE"><FONT SIZE="2"><B>Sections</B><BR><A HREF="news.htm">News</A><BR><A HREF="sport.htm">Sport</A><BR><A HREF="farming.htm">Farming</A><BR><A HREF="deaths.htm">Death notices</A><BR><A HREF="classifieds.htm">Classifieds</A><BR><A HREF="contact.htm">Contact us</A><BR><BR>
<B>Classifieds</B><BR>FOR SALE: Massey Ferguson 135, good runner, offers. Tel 052 41187<BR>WANTED: Hay and silage, collected. Tel 087 2219034<BR>
<B>Weather</B><BR>Mild and damp, 9 degrees</FONT></TD>
<TD WIDTH="610" VALIGN="TOP"><FONT FACE="Georgia" SIZE="3">
<P><FONT SIZE="5"><B>{escape(title)}</B></FONT><BR><I>By Nuala Byrne</I></P>
<P>{"</P><P>".join(escape(p) for p in paras)}</P>
<P><A HREF="print.htm">Printer-friendly version</A> | <A HREF="mailto:?subject=Herald story">Email this story to a friend</A></P>
<HR><P><FONT SIZE="2"><B>Other stories this week:</B> <A HREF="s1.htm">Hurling club wins county final replay</A> - <A HREF="s2.htm">Planning granted for 18 houses at Church Road</A> - <A HREF="s3.htm">Fundraising dance for the hospice</A></FONT></P>
</FONT></TD></TR>
<TR><TD COLSPAN="2" ALIGN="CENTER"><FONT SIZE="1">Copyright 2025 Ardvane Weekly Herald Ltd. All rights reserved. No part of this site may be reproduced without permission. Site by Tully Web Design.</FONT></TD></TR></TABLE>
</BODY></HTML>"""


def liveblog2(title: str, paras: list[str]) -> str:
    entries = []
    times = ["15:58", "11:02", "09:01"]
    pairs = list(zip(paras[0::2], paras[1::2], strict=True))
    for (head, text), when in zip(reversed(pairs), times, strict=True):
        entries.append(
            f'<div class="block" id="block-{when.replace(":", "")}"><div class="block-time"><time datetime="2025-04-27T{when}:00+01:00">{when}</time></div>'
            f'<h2 class="block-title">{escape(head)}</h2><div class="block-elements"><p>{escape(text)}</p></div>'
            f'<div class="block-share"><a href="#">Share</a><a href="#">Copy link</a></div><p class="block-author">By Tom Hartley</p></div>'
        )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Eastport Evening Post</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Eastport Evening Post">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"LiveBlogPosting","headline":"{escape(title)}","coverageStartTime":"2025-04-27T08:00:00+01:00","datePublished":"2025-04-27T08:00:00+01:00"}}</script></head>
<body><header class="site-header"><a href="/">Eastport Evening Post</a><nav><a href="/news">News</a> <a href="/sport">Sport</a> <a href="/whats-on">What's On</a> <a href="/jobs">Jobs</a> <a href="/notices">Announcements</a></nav></header>
<main><article class="liveblog">
<div class="live-badge">LIVE</div><h1>{escape(title)}</h1>
<div class="liveblog-meta">Updated 27 April 2025, 16:02 · <span class="author">Tom Hartley, Sports reporter</span></div>
<div class="key-events"><h2>Key events</h2><ul><li><a href="#block-1558">Roads reopen in the city centre</a></li><li><a href="#block-1102">Course record falls in the women's race</a></li><li><a href="#block-0901">Runners set off from Castle Square</a></li></ul></div>
<div class="liveblog-pinned"><span class="label">Pinned</span><p>Follow our live coverage of the Eastport Marathon, with road closures, results and pictures from along the course.</p></div>
<div class="liveblog-body">
{chr(10).join(entries)}
</div>
<div class="liveblog-more"><button>Load more updates</button></div>
</article>
<aside class="sidebar"><div class="promo-newsletter"><h3>Get the Post's sport newsletter</h3><p>Results, reports and gossip every Monday.</p><button>Sign me up</button></div>
<div class="most-popular"><h3>Most popular</h3><ol><li><a href="/p1">Tributes to former mayor</a></li><li><a href="/p2">New bakery opens on Quay Street</a></li><li><a href="/p3">Parking charges at the seafront to rise</a></li></ol></div></aside></main>
<footer><p>Eastport Evening Post, part of Coastline Media. © 2025. Privacy · Cookies · Contact · Advertise with us</p></footer></body></html>"""


def amp2(title: str, paras: list[str]) -> str:
    first, *rest = paras
    return f"""<!doctype html><html ⚡ lang="en-GB"><head><meta charset="utf-8"><title>{escape(title)} - Perthshire Gazette</title>
<link rel="canonical" href="https://perthshiregazette.example/news/glenrothay-bank-hub-4412987">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{escape(title)}","datePublished":"2025-02-13T16:45:00Z","author":{{"@type":"Person","name":"Fraser Reid"}},"publisher":{{"@type":"Organization","name":"Perthshire Gazette"}}}}</script>
<style amp-boilerplate>body{{visibility:hidden}}</style></head>
<body><amp-analytics type="gtag"></amp-analytics>
<header class="header"><a href="/" class="logo">Perthshire Gazette</a><button on="tap:sidebar.toggle" class="burger">Menu</button></header>
<amp-sidebar id="sidebar" layout="nodisplay"><nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li><li><a href="/business">Business</a></li><li><a href="/farming">Farming</a></li><li><a href="/obituaries">Obituaries</a></li></ul></nav></amp-sidebar>
<main><article>
<p class="category">News</p><h1 class="headline">{escape(title)}</h1>
<p class="standfirst">Customers of five banks will be able to use the post office-run hub from March</p>
<div class="byline"><span class="author-name">Fraser Reid</span> <time datetime="2025-02-13T16:45:00Z">February 13 2025, 4.45pm</time></div>
<figure><amp-img src="/img/bank.jpg" width="1200" height="800" layout="responsive" alt="The bank on the high street"></amp-img><figcaption>The branch on Glenrothay High Street will close on March 21. Image: Gazette Picture Desk.</figcaption></figure>
<div class="article-body">
<p>{escape(first)}</p>
<amp-ad width="300" height="250" type="doubleclick" data-slot="/1234/gazette/news"><div fallback>Advertisement</div></amp-ad>
{_paragraphs(rest)}
<div class="share"><amp-social-share type="facebook" aria-label="Share on Facebook"></amp-social-share><amp-social-share type="whatsapp" aria-label="Share on WhatsApp"></amp-social-share><amp-social-share type="email" aria-label="Share by email"></amp-social-share></div>
</div>
<section class="related"><h3>More from Perthshire Gazette</h3><ul><li><a href="/r1">Crieff hydro to create 40 jobs</a></li><li><a href="/r2">A9 dualling: next section delayed again</a></li></ul></section>
</article></main>
<footer class="footer"><p>© Perthshire Gazette Ltd. Contact · Privacy · Terms and conditions · View non-AMP version</p></footer></body></html>"""


def newswp(title: str, paras: list[str]) -> str:
    body = []
    for i, p in enumerate(paras):
        body.append(f"<p>{escape(p)}</p>")
        if i == 0:
            body.append(
                '<p><strong>READ MORE: <a href="/2025/09/12/fly-tipping-fines/">Fly-tipping fines doubled as council cracks down</a></strong></p>'
            )
        if i == 2:
            body.append(
                '<div class="mc4wp-form-fields"><h4>Get our free daily newsletter</h4><p>Sign up for the top stories from Fenwick and around, sent every morning.</p><p><input type="email" name="EMAIL" placeholder="Your email address" required><input type="submit" value="Subscribe"></p></div>'
            )
    return f"""<!DOCTYPE html><html lang="en-GB"><head><meta charset="UTF-8"><title>{escape(title)} - Fenwick Today</title>
<meta name="generator" content="WordPress 6.6.2"><meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Fenwick Today">
<meta property="article:published_time" content="2025-10-07T12:15:00+00:00"><meta name="author" content="Kieran Walsh">
<link rel="canonical" href="https://fenwicktoday.example/2025/10/07/recycling-centre-sunday-opening/"></head>
<body class="post-template-default single single-post td-standard-pack">
<div class="td-header-top-menu"><div class="td-header-sp-top-menu"><span class="td_data_time">Tuesday, October 7, 2025</span><ul class="top-header-menu"><li><a href="/advertise/">Advertise</a></li><li><a href="/contact/">Contact</a></li><li><a href="/submit-news/">Submit your news</a></li></ul></div></div>
<div class="td-header-menu-wrap"><div class="td-logo"><a href="/">Fenwick Today</a></div><ul id="menu-main" class="sf-menu"><li><a href="/news/">News</a></li><li><a href="/sport/">Sport</a></li><li><a href="/business/">Business</a></li><li><a href="/whats-on/">What's On</a></li><li><a href="/opinion/">Opinion</a></li></ul></div>
<div class="td-main-content-wrap"><div class="td-container"><div class="td-pb-span8 td-main-content">
<article id="post-20931" class="post-20931 post type-post status-publish format-standard has-post-thumbnail category-news">
<div class="td-post-header"><ul class="td-category"><li><a class="td-post-category" href="/news/">News</a></li></ul>
<header class="td-post-title"><h1 class="entry-title">{escape(title)}</h1>
<div class="td-module-meta-info"><div class="td-post-author-name"><span>By </span><a href="/author/kwalsh/">Kieran Walsh</a></div><span class="td-post-date"><time class="entry-date updated td-module-date" datetime="2025-10-07T12:15:00+00:00">October 7, 2025</time></span><div class="td-post-views"><span>1,204</span></div><div class="td-post-comments"><a href="#comments">5</a></div></div></header></div>
<div class="td-post-sharing-top"><div class="td-default-sharing"><a class="td-social-sharing-button-facebook" href="#">Facebook</a><a class="td-social-sharing-button-twitter" href="#">Twitter</a><a class="td-social-sharing-button-whatsapp" href="#">WhatsApp</a><a class="td-social-sharing-button-mail" href="#">Email</a></div></div>
<div class="td-post-featured-image"><figure><img src="/wp-content/uploads/2025/10/recycling.jpg" alt=""><figcaption class="wp-caption-text">Queues at the Fenwick Road site on a Saturday morning. Photo: Fenwick Today</figcaption></figure></div>
<div class="td-post-content tagdiv-type">
{chr(10).join(body)}
</div>
<footer><div class="td-post-source-tags"><ul class="td-tags"><li><span>TAGS</span></li><li><a href="/tag/council/">council</a></li><li><a href="/tag/recycling/">recycling</a></li><li><a href="/tag/waste/">waste</a></li></ul></div>
<div class="td-author-name-box"><div class="td-author-name"><a href="/author/kwalsh/">Kieran Walsh</a></div><div class="td-author-description">Kieran is Fenwick Today's local democracy reporter. Got a story? Email him at news@fenwicktoday.example.</div></div></footer>
</article>
<div class="td_block_related_posts"><h4 class="td-related-title">RELATED ARTICLES</h4><div class="td-related-row"><div class="td_module_related_posts"><h3 class="entry-title"><a href="/x1">Bin strike called off after last-minute pay deal</a></h3></div><div class="td_module_related_posts"><h3 class="entry-title"><a href="/x2">New library opening hours from November</a></h3></div><div class="td_module_related_posts"><h3 class="entry-title"><a href="/x3">Parking permit prices to rise</a></h3></div></div></div>
<div id="comments" class="comments"><div class="td-comments-title-wrap"><h4 class="block-title"><span>5 COMMENTS</span></h4></div>
<ol class="comment-list"><li class="comment"><article><footer><div class="comment-author">Derek M</div><div class="comment-date">October 7, 2025 At 1:02 pm</div></footer><div class="comment-content"><p>About time. The lay-by on Moss Lane has been a tip for two years.</p></div></article></li>
<li class="comment"><article><footer><div class="comment-author">Jan</div></footer><div class="comment-content"><p>Will they take garden waste on Sundays too?</p></div></article></li></ol>
<div id="respond" class="comment-respond"><h3 class="comment-reply-title">LEAVE A REPLY</h3><form><div class="comment-form-input-wrap"><textarea placeholder="Comment:"></textarea></div><input placeholder="Name:*"><input placeholder="Email:*"><p class="comment-form-cookies-consent"><input type="checkbox"><label>Save my name, email, and website in this browser for the next time I comment.</label></p><input type="submit" value="Post Comment"></form></div></div>
</div>
<div class="td-pb-span4 td-main-sidebar"><aside class="widget"><div class="block-title"><span>MOST POPULAR</span></div><ul><li><a href="/p1">Man jailed for stealing catalytic converters</a></li><li><a href="/p2">Plans for 200 homes at Low Farm rejected</a></li><li><a href="/p3">Christmas lights switch-on date confirmed</a></li></ul></aside></div>
</div></div>
<div class="td-footer-wrapper"><div class="footer-text-wrap">Fenwick Today is your independent local news website for Fenwick and the surrounding villages.</div><div class="td-sub-footer-copy">© Fenwick Today 2025. All rights reserved.</div></div>
</body></html>"""


def regional(title: str, paras: list[str]) -> str:
    body = []
    for i, p in enumerate(paras):
        body.append(f'<p class="rte-paragraph">{escape(p)}</p>')
        if i == 1:
            body.append(
                '<div class="gallery-inline"><div class="gallery-count">Gallery: 6 photos</div><figure><img src="/g1.jpg" alt=""><figcaption>The new base on the edge of Dunford village. <span class="photo-credit">Picture: Sam Halliwell</span></figcaption></figure></div>'
            )
        if i == 2:
            body.append(
                '<div class="most-popular-inline"><h3>Most popular</h3><ol><li><a href="/mp1">Reservoir levels fall to lowest since 1995</a></li><li><a href="/mp2">Walkers warned after cattle attack on footpath</a></li><li><a href="/mp3">Pub named best in the county</a></li></ol></div>'
            )
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | Dunford Valley Gazette</title>
<meta property="og:title" content="{escape(title)}"><meta property="og:site_name" content="Dunford Valley Gazette">
<meta name="article:published_time" content="2025-03-29T07:30:00Z"><meta name="author" content="Hugh Pennant">
<link rel="canonical" href="https://dunfordgazette.example/news/24997812.mountain-rescue-team-new-base/"></head>
<body><div id="sp_message_container" class="consent"><p>We value your privacy. We and our partners use cookies to personalise content and ads, and to analyse our traffic.</p><button>Accept</button><button>Options</button></div>
<div class="header"><div class="logo"><a href="/">Dunford Valley Gazette</a></div><div class="header-weather">Dunford 7°C</div>
<ul class="nav-primary"><li><a href="/news/">News</a></li><li><a href="/sport/">Sport</a></li><li><a href="/leisure/">Leisure</a></li><li><a href="/announcements/">Announcements</a></li><li><a href="/directory/">Directory</a></li><li><a href="/e-edition/">eEdition</a></li></ul></div>
<div class="container"><div class="article-container" itemscope itemtype="http://schema.org/NewsArticle">
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/news/">News</a></div>
<h1 class="mar-article__headline" itemprop="headline">{escape(title)}</h1>
<div class="mar-article__byline"><span class="author" itemprop="author">By Hugh Pennant</span> <span class="role">Chief reporter</span> <time itemprop="datePublished" datetime="2025-03-29T07:30:00Z">Share 29 March 2025</time></div>
<div class="share-tools"><a href="#">Share this article</a><a href="#">Facebook</a><a href="#">X</a><a href="#">Email</a><a href="#">WhatsApp</a></div>
<figure class="lead-image"><img src="/lead.jpg" alt=""><figcaption>Team members outside the new base with the vehicles. <span class="photo-credit">Picture: Sam Halliwell</span></figcaption></figure>
<div class="article-body" itemprop="articleBody">
{chr(10).join(body)}
<div class="forward-box"><p>Know someone who would like this story? <a href="mailto:?subject=Mountain rescue">Forward it to a friend</a> or share it with your walking group.</p></div>
<div class="support-journalism"><h4>Support local journalism</h4><p>Thank you for reading. Subscribe to the Gazette for just 1 pound for the first month and read as many stories as you like.</p><a href="/subscribe/">Subscribe now</a></div>
</div>
<div class="article-comments"><h3>Comments</h3><p class="community-rules">Comments are closed on this article. Read our community guidelines.</p><div class="comment"><span class="comment-user">fellwalker58</span><p>They found my son on Pike Crag in a blizzard. Worth every penny.</p></div></div>
</div>
<div class="sidebar"><div class="mpu">Advertisement</div><div class="whats-on-widget"><h3>What's on</h3><ul><li>Spring craft fair, Town Hall, Saturday</li><li>Brass band concert, St Mary's, Sunday</li></ul></div></div></div>
<div class="footer"><ul><li><a href="/contact/">Contact us</a></li><li><a href="/advertise/">Advertise</a></li><li><a href="/privacy/">Privacy</a></li><li><a href="/cookies/">Cookie policy</a></li></ul><p>This website and associated newspapers adhere to the Independent Press Standards Organisation's Editors' Code of Practice. © 2025 Dunford Valley Newspapers Ltd.</p></div>
</body></html>"""


LAYOUTS = {
    "arc": arc,
    "guardian": guardian,
    "bbc": bbc,
    "apwire": apwire,
    "localtable": localtable,
    "liveblog2": liveblog2,
    "amp2": amp2,
    "newswp": newswp,
    "regional": regional,
}


def main() -> None:
    for name, (title, paras) in STORIES.items():
        (HERE / f"{name}.html").write_text(LAYOUTS[name](title, paras) + "\n", encoding="utf-8")
        (HERE / f"{name}.article.txt").write_text("\n".join([title, *paras]) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
