"""A clean synthetic draft in GB/T 1.1—2020 form, for tests and benchmarks.

The draft is fictitious and written to pass every rule of the checker; the tests inject one
defect at a time into it and assert that the checker finds it, and the benchmark repeats
its core chapters to reach a realistic length (about 1 000 characters per page).
"""

from __future__ import annotations

COVER = """ICS 03.080
CCS A 12
团体标准
T/SYNT 001—2025
示例城市社区服务规范
Specification for community services of an example city
2025-01-01 发布　　2025-02-01 实施
示例服务协会　发布"""

TOC_HEAD = "目次"

PREFACE = """前言
本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。
请注意本文件的某些内容可能涉及专利。本文件的发布机构不承担识别专利的责任。
本文件由示例服务协会提出。
本文件由示例服务协会标准化委员会归口。
本文件起草单位：示例市服务研究院。
本文件主要起草人：甲某、乙某。"""

INTRO = """引言
社区服务涉及面广，服务质量差异较大。本文件总结了示例城市社区服务的经验，给出服务提供的基本做法。"""

SCOPE = """1 范围
本文件规定了社区服务的基本要求、服务提供和服务评价的要求，描述了相应的证实方法。
本文件适用于示例城市社区服务机构提供的社区服务。"""

REFERENCES = """2 规范性引用文件
下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。其中，注日期的引用文件，仅该日期对应的版本适用于本文件；不注日期的引用文件，其最新版本（包括所有的修改单）适用于本文件。
GB/T 10001.1 公共信息图形符号 第1部分：通用符号
GB/T 19012—2019 质量管理 顾客满意 组织投诉处理指南
T/SYNT 002—2024 社区服务术语"""

TERMS = """3 术语和定义
T/SYNT 002—2024界定的以及下列术语和定义适用于本文件。
3.1
社区服务 community service
在社区范围内为居民提供的公益性和便民利民服务。
3.2
服务机构 service provider
依法登记，为居民提供社区服务的组织。"""

SYMBOLS = """4 缩略语
下列缩略语适用于本文件。
APP：应用程序（Application）"""


def core_chapter(n: int, k: int = 0) -> str:
    """One chapter of requirements numbered ``n``; ``k`` varies the table/figure numbers
    (each chapter holds one table and one figure numbered ``2k+1`` style by the caller)."""
    t = k + 1
    return f"""{n} 服务要求{n}
{n}.1 服务机构
{n}.1.1 服务机构应具有固定的服务场所，并在显著位置公示服务项目和投诉电话。
{n}.1.2 服务机构应建立下列制度：
a) 服务管理制度；
b) 人员培训制度；
c) 投诉处理制度。
{n}.1.3 服务场所的公共信息标志应符合GB/T 10001.1的规定。
注：公共信息标志包括导向标志和位置标志。
{n}.2 服务人员
{n}.2.1 服务人员宜每年参加不少于24学时的培训。
{n}.2.2 服务人员上岗时应佩戴工作牌，工作牌的式样见表{t}。
表{t} 工作牌式样
项目 | 内容
姓名 | 服务人员姓名
编号 | 服务人员编号
{n}.2.3 服务人员可根据居民需要调整服务时间。
示例1：居民因就医需要提前上门服务。
示例2：居民因外出需要推迟上门服务。
{n}.3 服务流程
{n}.3.1 服务流程见图{t}。
服务申请 → 受理 → 服务实施 → 回访
图{t} 服务流程
{n}.3.2 投诉处理应符合GB/T 19012—2019中第7章的规定。"""


EVALUATION = """{n} 服务评价
{n}.1 服务机构应每年至少开展1次服务评价，评价方法见附录A。
{n}.2 服务评价的记录格式参见附录B。"""

ANNEXES = """附录A
（规范性）
服务评价方法
A.1 评价指标
服务评价指标包括居民满意度和投诉处理及时率。
A.2 计算方法
居民满意度按表A.1计算。
表A.1 满意度计算
项目 | 计算方法
满意度 | 满意人数/调查人数
附录B
（资料性）
服务评价记录
B.1 记录内容
服务评价记录包括评价日期、评价人员和评价结果。
B.2 保存期限
服务评价记录保存期限为3年。"""

BIBLIOGRAPHY = """参考文献
[1] GB/T 20000.1—2014 标准化工作指南 第1部分：标准化和相关活动的通用术语
[2] 《中华人民共和国标准化法》"""


def clean_draft(core_chapters: int = 2) -> str:
    """The clean draft with ``core_chapters`` requirement chapters (5, 6, …)."""
    body = [SCOPE, REFERENCES, TERMS, SYMBOLS]
    n = 5
    for k in range(core_chapters):
        body.append(core_chapter(n, k))
        n += 1
    body.append(EVALUATION.format(n=n))
    headings = ["前言", "引言", "1 范围", "2 规范性引用文件", "3 术语和定义", "4 缩略语"]
    headings += [f"{5 + k} 服务要求{5 + k}" for k in range(core_chapters)]
    headings += [
        f"{n} 服务评价",
        "附录A（规范性）服务评价方法",
        "附录B（资料性）服务评价记录",
        "参考文献",
    ]
    toc = "\n".join([TOC_HEAD, *headings])
    return "\n\n".join([COVER, toc, PREFACE, INTRO, *body, ANNEXES, BIBLIOGRAPHY]) + "\n"


def pages(text: str, chars_per_page: int = 1000) -> float:
    """Approximate printed pages of ``text``."""
    return len(text) / chars_per_page


# ---------------------------------------------------------------- injected defects
# Each defect: the rule that must find it, a label, and an edit of the clean draft (one
# replacement of an exact passage, so a failed edit is caught by the tests).
Defect = tuple[str, str, str, str]

DEFECTS: tuple[Defect, ...] = (
    # structure
    ("structure.required-elements", "范围不是第1章", "1 范围\n本文件", "1 总则\n本文件"),
    ("structure.required-elements", "缺少前言", PREFACE + "\n\n", ""),
    (
        "structure.element-order",
        "引言在前言之前",
        PREFACE + "\n\n" + INTRO,
        INTRO + "\n\n" + PREFACE,
    ),
    ("structure.chapter-numbering", "章号跳号", "7 服务评价\n7.1 ", "8 服务评价\n8.1 "),
    (
        "structure.chapter-title",
        "章无标题",
        "4 缩略语\n下列缩略语适用于本文件。",
        "4 下列缩略语适用于本文件。",
    ),
    ("structure.clause-numbering", "条号跳号", "5.2 服务人员\n5.2.1 ", "5.3 服务人员\n5.3.1 "),
    (
        "structure.clause-depth",
        "条超过五层",
        "5.1.3 服务场所",
        "5.1.3 场所\n5.1.3.1 标识\n5.1.3.1.1 标志\n5.1.3.1.1.1 位置\n5.1.3.1.1.1.1 服务场所",
    ),
    (
        "structure.single-subclause",
        "只有x.1",
        "7.1 服务机构应每年至少开展1次服务评价，评价方法见附录A。\n7.2 服务评价的记录格式参见附录B。",
        "7.1 服务机构应每年至少开展1次服务评价，评价方法见附录A，记录格式参见附录B。",
    ),
    (
        "structure.sibling-titles",
        "同层条标题不一致",
        "5.1.1 服务机构应具有",
        "5.1.1 场所 服务机构应具有",
    ),
    (
        "structure.hanging-paragraph",
        "悬置段",
        "5 服务要求5\n5.1 ",
        "5 服务要求5\n本章规定服务机构和服务人员的要求。\n5.1 ",
    ),
    ("structure.annex-order", "附录编号跳号", "附录B\n（资料性）", "附录C\n（资料性）"),
    ("structure.annex-type", "附录未标性质", "附录B\n（资料性）\n", "附录B\n"),
    (
        "structure.annex-cited",
        "附录未被提及",
        "服务评价的记录格式参见附录B。",
        "服务评价应形成记录。",
    ),
    ("structure.annex-numbering", "附录中表编号", "表A.1 满意度计算", "表3 满意度计算"),
    (
        "structure.toc",
        "目次与标题不符",
        "\n5 服务要求5\n6 服务要求6\n",
        "\n5 服务要求\n6 服务要求6\n",
    ),
    # wording
    ("wording.must", "必须", "服务机构应具有固定的服务场所", "服务机构必须具有固定的服务场所"),
    (
        "wording.prohibition",
        "不得",
        "服务人员上岗时应佩戴工作牌",
        "服务人员上岗时不得不佩戴工作牌，不可遮挡工作牌",
    ),
    ("wording.should-try", "应尽量", "服务人员宜每年参加", "服务人员应尽量每年参加"),
    (
        "wording.permission",
        "能表示允许",
        "服务人员可根据居民需要调整服务时间。",
        "经服务机构同意后，服务人员能调整服务时间。",
    ),
    (
        "wording.preface-provision",
        "前言含要求",
        "本文件由示例服务协会提出。",
        "本文件由示例服务协会提出。使用本文件的机构应向协会备案。",
    ),
    (
        "wording.intro-provision",
        "引言含要求",
        "给出服务提供的基本做法。",
        "给出服务提供的基本做法，服务机构应遵照执行。",
    ),
    (
        "wording.scope-provision",
        "范围含要求",
        "本文件适用于示例城市社区服务机构提供的社区服务。",
        "本文件适用于示例城市社区服务机构提供的社区服务，其他地区宜参照执行。",
    ),
    (
        "wording.note-provision",
        "注含要求",
        "注：公共信息标志包括导向标志和位置标志。",
        "注：公共信息标志应包括导向标志和位置标志。",
    ),
    (
        "wording.example-provision",
        "示例含要求",
        "示例1：居民因就医需要提前上门服务。",
        "示例1：居民因就医需要时，服务人员应提前上门服务。",
    ),
    (
        "wording.footnote-provision",
        "脚注含要求",
        "服务流程见图1。\n",
        "服务流程见图1¹⁾。\n¹⁾ 流程图应张贴在服务场所。\n",
    ),
    (
        "wording.scope-form",
        "范围句式",
        "本文件规定了社区服务的基本要求",
        "为了规范社区服务，制定社区服务的基本要求",
    ),
    (
        "wording.references-lead-in",
        "引导语改写",
        "其最新版本（包括所有的修改单）适用于本文件。",
        "其最新版本适用于本文件。",
    ),
    (
        "wording.terms-lead-in",
        "术语引导语",
        "T/SYNT 002—2024界定的以及下列术语和定义适用于本文件。",
        "T/SYNT 002—2024界定的和下列术语定义适用于本文件。",
    ),
    (
        "wording.symbols-lead-in",
        "缩略语引导语",
        "下列缩略语适用于本文件。",
        "本文件使用下列缩略语。",
    ),
    ("wording.empty-references", "第2章为空", REFERENCES.split("\n", 1)[1] + "\n", ""),
    ("wording.empty-terms", "第3章为空", TERMS.split("\n", 1)[1] + "\n", ""),
    # legacy
    ("legacy.this-standard", "本标准", "本文件适用于示例城市", "本标准适用于示例城市"),
    ("legacy.annex-mark", "（规范性附录）", "附录A\n（规范性）", "附录A\n（规范性附录）"),
    (
        "legacy.drafting-basis",
        "2009版起草依据",
        "本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。",
        "本文件按照GB/T 1.1—2009给出的规则起草。",
    ),
    (
        "legacy.references-lead-in",
        "2009版引导语",
        REFERENCES.split("\n")[1],
        "下列文件对于本文件的应用是必不可少的。凡是注日期的引用文件，仅注日期的版本适用于本文件。凡是不注日期的引用文件，其最新版本（包括所有的修改单）适用于本文件。",
    ),
    # references
    (
        "references.law",
        "法律作规范性引用",
        "T/SYNT 002—2024 社区服务术语",
        "T/SYNT 002—2024 社区服务术语\n《中华人民共和国消费者权益保护法》",
    ),
    (
        "references.uncited",
        "清单中的文件未被引用",
        "T/SYNT 002—2024 社区服务术语",
        "T/SYNT 002—2024 社区服务术语\nT/SYNT 009—2023 社区服务设施",
    ),
    (
        "references.unlisted",
        "正文引用未列入",
        "服务机构应每年至少开展1次服务评价",
        "服务机构应按照GB/T 27922的规定每年至少开展1次服务评价",
    ),
    (
        "references.dated",
        "具体章条不注日期",
        "投诉处理应符合GB/T 19012—2019中第7章的规定。",
        "投诉处理应符合GB/T 19012中第7章的规定。",
    ),
    (
        "references.year-dash",
        "年份号前用连字符",
        "GB/T 19012—2019 质量管理",
        "GB/T 19012-2019 质量管理",
    ),
    (
        "references.order",
        "清单顺序",
        "GB/T 10001.1 公共信息图形符号 第1部分：通用符号\nGB/T 19012—2019 质量管理 顾客满意 组织投诉处理指南",
        "GB/T 19012—2019 质量管理 顾客满意 组织投诉处理指南\nGB/T 10001.1 公共信息图形符号 第1部分：通用符号",
    ),
    # form
    (
        "form.list-lead-in",
        "列项无引语",
        "服务机构应建立下列制度：\na)",
        "服务机构应建立管理制度。\na)",
    ),
    ("form.list-markers", "列项符号混用", "b) 人员培训制度；", "——人员培训制度；"),
    (
        "form.list-depth",
        "列项三层",
        "c) 投诉处理制度。",
        "c) 投诉处理制度：\n1) 投诉受理；\n2) 投诉处理：\n① 调查；\n② 答复。",
    ),
    ("form.note-numbering", "单个注编号", "注：公共信息标志包括", "注1：公共信息标志包括"),
    ("form.example-numbering", "多个示例未编号", "示例2：居民因外出", "示例：居民因外出"),
    ("form.table-numbering", "表编号跳号", "表2 工作牌式样", "表3 工作牌式样"),
    ("form.figure-numbering", "图编号重复", "图2 服务流程", "图1 服务流程"),
    (
        "form.preface-order",
        "前言顺序",
        "请注意本文件的某些内容可能涉及专利。本文件的发布机构不承担识别专利的责任。\n本文件由示例服务协会提出。",
        "本文件由示例服务协会提出。\n请注意本文件的某些内容可能涉及专利。本文件的发布机构不承担识别专利的责任。",
    ),
    (
        "form.drafting-basis",
        "起草依据不规范",
        "本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。",
        "本文件按照GB/T 1.1—2020给出的规则编写。",
    ),
    ("form.standard-code", "文件编号格式", "T/SYNT 001—2025", "T/SYNT001-2025"),
    # second variants
    ("wording.must", "必须（附录中）", "服务评价记录保存期限为3年。", "服务评价记录必须保存3年。"),
    ("legacy.this-standard", "本部分", "本文件总结了", "本部分总结了"),
    ("structure.chapter-numbering", "章号重复", "4 缩略语\n下列", "3 缩略语\n下列"),
    (
        "structure.annex-order",
        "附录顺序与提及顺序不符",
        "服务机构应每年至少开展1次服务评价，评价方法见附录A。",
        "服务机构应每年至少开展1次服务评价，记录格式见附录B，评价方法见附录A。",
    ),
    ("references.year-dash", "正文中连字符", "GB/T 19012—2019中第7章", "GB/T 19012-2019中第7章"),
    (
        "form.table-numbering",
        "续表编号",
        "工作牌的式样见表1。\n表1 工作牌式样",
        "工作牌的式样见表1。\n表1（续）",
    ),
)


def inject(text: str, defect: Defect, *, count: int = 1) -> str:
    """``text`` with the defect's edit applied (first ``count`` occurrences).  Raises
    ValueError if the passage is not there, so a stale defect cannot pass silently."""
    _rule, _label, old, new = defect
    if old not in text:
        raise ValueError(f"defect {defect[1]!r}: passage not found")
    return text.replace(old, new, count)
