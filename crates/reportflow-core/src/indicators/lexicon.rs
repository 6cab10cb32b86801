//! The vocabulary of figures in Chinese economic reports, as regular-expression sources.
//!
//! Kept apart from the matching logic so that extending the extractor to new wording is a
//! data change: a new unit, verb or baseline phrase goes here, not into control flow.
//! Every pattern assumes normalized text: ASCII punctuation for the full-width forms
//! (`,` `;` `:` `(` `)` `%`) and no spaces between hanzi and digits.

/// The units a figure's number may have, in the order they are tried: the first that
/// the text after the number starts with is the figure's (`万亿元` before `万`). A figure
/// is an optional leading qualifier ([`QUALIFIERS_BEFORE`]), a number (ASCII digits, or
/// [`CHINESE_NUMERALS`], which the reader keeps only before a magnitude: `千亿元`), an
/// optional `多`/`余`, one of these units and an optional trailing qualifier
/// ([`QUALIFIERS_AFTER`]); `figure_scan` finds them.
pub(crate) const FIGURE_UNITS: &[&str] = &[
    "个百分点",
    // `280亿余元`, `3万多人`: more than the number, the qualifier inside the unit.
    "亿余元",
    "亿多元",
    "万余元",
    "万多元",
    "万余人",
    "万多人",
    "万余户",
    "万多户",
    "万余吨",
    "万多吨",
    "万亿元",
    "千亿元",
    "百亿元",
    "万亿美元",
    "亿美元",
    "万美元",
    "千万元",
    "百万元",
    "亿元",
    "万元",
    "美元",
    "元",
    "微克/立方米",
    "毫克/立方米",
    "微克每立方米",
    "毫克每立方米",
    "μg/m³",
    "μg/m3",
    "万平方米",
    "平方米",
    "平方公里",
    "公顷",
    "万亩",
    "亩",
    "万吨标准煤",
    "吨标准煤/万元",
    "吨标准煤",
    "万吨",
    "吨",
    "万人次",
    "人次",
    "万人",
    "人",
    "万户",
    "户",
    "万家",
    "家",
    "万个",
    "个",
    "项",
    "座",
    "所",
    "套",
    "辆",
    "件",
    "宗",
    "%",
    "‰",
    "万亿",
    "千亿",
    "百亿",
    "亿",
    "万",
];

/// The units of [`FIGURE_UNITS`] with a qualifier inside (`280亿余元`), and the unit without it.
pub(crate) const INNER_QUALIFIED_UNITS: &[(&str, &str)] = &[
    ("亿余元", "亿元"),
    ("亿多元", "亿元"),
    ("万余元", "万元"),
    ("万多元", "万元"),
    ("万余人", "万人"),
    ("万多人", "万人"),
    ("万余户", "万户"),
    ("万多户", "万户"),
    ("万余吨", "万吨"),
    ("万多吨", "万吨"),
];

/// The leading qualifiers of a figure, tried in this order (longest first).
pub(crate) const QUALIFIERS_BEFORE: &[&str] = &[
    "不低于",
    "不少于",
    "不超过",
    "不高于",
    "超过",
    "接近",
    "突破",
    "超",
    "近",
    "约",
    "逾",
];

/// The trailing qualifiers of a figure, tried in this order.
pub(crate) const QUALIFIERS_AFTER: &[&str] = &["左右", "以上", "以内", "以下", "多", "余"];

/// The marks between the bounds of a range (`4.5-5%`, `4.5—5%`, `5%—5.5%`, `1300万—1500万美元`),
/// one list for every place that reads a range.
pub(crate) const RANGE_MARKS: &[char] = &['—', '-', '–', '−', '~', '～', '至', '到'];

/// Whether `s` is a range mark and nothing else.
pub(crate) fn is_range_mark(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| RANGE_MARKS.contains(&c)) && chars.next().is_none()
}

/// The Chinese numeral characters a figure's number may be written in.
pub(crate) const CHINESE_NUMERALS: &str = "零〇一二两三四五六七八九十百千";

/// What may directly follow a figure that states a metric's value. A figure followed by
/// anything else modifies a noun (`318家规模以上工业企业`, `占税收80%的企业`,
/// `千亿的基础上`) and is not a value of its own. `{TARGET_MODIFIERS}` stands for
/// [`TARGET_MODIFIERS`]: [`figure_follow`] fills it in.
const FIGURE_FOLLOW: &str = concat!(
    r"^(?:$|[,.;:!?。，；：、)）\]】”\s\-—–…/|(]",
    r"|和|及|与|或|同比|比|较|增长|下降|增速|增幅|高于|低于|居|位居|排名|排|占|分别|其中|提高|降低",
    // `8132亿元人民币`: the currency named after the unit.
    r"|人民币",
    // `268.45亿元[注1],按不变价格计算`: a footnote mark after the figure.
    r"|\[注?\d{1,2}\]",
    r"|减少|增加|均|为|是|全市|全区|全省|全国|首位|第[一二三四五六七八九十\d]",
    r"|提升|增至|升至|降至|降到|减至|上升|跃升|达到|台阶|新台阶|大关|左右|安排|[一二三四五六七八九十两]个大?台阶",
    // `由9862亿元扩大到1.42万亿元`: the start of a change; `较2024年的3786.2亿元净增…`.
    r"|扩大|缩小|攀升|回落|回升|净增|净减",
    // `达到68%的目标`, `2万人目标全面完成`: the figure is a target's.
    r"|的?(?:{TARGET_MODIFIERS})?目标",
    // `城镇新增就业4500人等主要预期目标`: the last of a list the sentence names targets.
    r"|等(?:主要)?(?:预期|发展)?目标)",
);

/// The pattern of [`FIGURE_FOLLOW`], with the target modifiers filled in.
pub(crate) fn figure_follow() -> String {
    FIGURE_FOLLOW.replace("{TARGET_MODIFIERS}", &TARGET_MODIFIERS.join("|"))
}

/// Adverbs that say a level was already reached (`虽已突破`, `已达到`): an actual, even in
/// a plan.
pub(crate) const ALREADY: &[&str] = &[
    "虽已",
    "已经",
    "已突破",
    "已达",
    "已超过",
    "已迈上",
    "已跨越",
];

/// Words that start a comparison after a metric's name (`全体居民人均可支配收入增速高于经济
/// 增速`): the name ends before them (and before the `增速` they compare).
pub(crate) const COMPARISON_AFTER_NAME: &[&str] = &["高于", "低于", "快于", "慢于", "跑赢", "跑输"];

/// Words that compare a figure with something (`低于增长5%的预期目标`).
pub(crate) const COMPARED_TO: &[&str] = &[
    "低于",
    "高于",
    "快于",
    "慢于",
    "好于",
    "优于",
    "超过",
    "未达到",
];

/// Words that may stand between a figure and `目标` when the figure is a target's
/// (`下降2.5%的年度目标`, `增长6%左右的预期目标`). One list for both places that read a target
/// after its figure: [`figure_follow`] and `drafting::names_target`.
pub(crate) const TARGET_MODIFIERS: &[&str] = &[
    "年度", "全年", "预期", "既定", "控制", "调控", "计划", "考核", "规划",
];

/// Growth verbs at the end of a figure's lead: the figure is a change, not a level.
pub(crate) const GROWTH_VERB: &str = concat!(
    r"(?P<verb>增长率|增长|增速|增幅|上涨|涨幅|下降|降低|减少|增加|提高|提升|上升|回落|下滑|扩大|收窄|回升|降幅|增收|增支|减收|减支|多增|少增)",
    r"(?:为|达到|达|了|高达|约|分别为)?$",
);

/// Verbs of decrease: their growth figures are negative.
pub(crate) const NEGATIVE_VERBS: &[&str] = &[
    "下降", "降低", "减少", "回落", "下滑", "收窄", "降幅", "减收", "减支", "少增",
];

/// Verbs that state a change in words, with no figure (`房地产开发投资持续下滑`).
pub(crate) const CHANGE_IN_WORDS: &[&str] = &[
    "下滑",
    "下降",
    "回落",
    "减少",
    "萎缩",
    "放缓",
    "走弱",
    "收缩",
    "负增长",
    "增长",
    "回升",
    "上涨",
    "上升",
];

/// Adverbs of degree before a change stated in words (`持续下滑`, `大幅下降`).
pub(crate) const CHANGE_ADVERBS: &[&str] = &[
    "持续",
    "大幅",
    "明显",
    "较快",
    "快速",
    "小幅",
    "继续",
    "进一步",
    "有所",
    "略有",
    "仍",
    "连续两年",
    "连续三年",
    "连续多年",
];

/// Verbs that end in a level (`下降至46微克`): the figure is a value, not a change.
pub(crate) const LEVEL_VERB: &str = concat!(
    r"(?:下降至|下降到|降至|降到|提高到|提高至|提升至|提升到|增至|升至|跃升至|跃升到",
    r"|增长到|增长至|增加到|增加至|上升至|上升到|回落至|回落到|回升至|回升到|降低至|降低到|减少至|减少到",
    r"|扩大至|扩大到|缩小至|缩小到|控制在|保持在|稳定在)$",
);

/// Comparisons with something other than the metric's own past: `高于全市0.6个百分点`,
/// `完成全年任务的63.2%`, `超时间进度13.2个百分点`. Kept as the rank/comparison phrase.
pub(crate) const COMPARISON: &str = concat!(
    r"^(?:分别|均|增速|增幅|并|且|总量|比重)?",
    // `略高于全省5%以上的预期目标`: a degree before the comparison.
    r"(?:(?:略|稍|明显|远)?(?:高于|低于|快于|慢于|超出|超过|领先|落后|好于|优于|上拉|拉动)[^\d,;:]*[\p{Han}]",
    r"|超(?:时间|序时)进度|完成[^,;:]{0,8}(?:任务|计划|目标)的?|完成[^,;:]{0,4}预算的|占[^,;:]{0,12}(?:任务|计划|目标|预算)的?",
    // `为预算的98%`, `为年度计划的102%`: the share of the plan reached.
    r"|为[^,;:]{0,6}(?:预算|计划|目标)(?:任务)?的)",
);

/// Baselines other than the same period a year before, longest first.
pub(crate) const OTHER_BASIS: &str = concat!(
    r"两年平均|三年平均|年均|平均每年|每年平均|比\d{4}年(?:同期|上半年|前三季度|一季度|全年)?|较\d{4}年(?:同期|上半年|前三季度|一季度|全年)?",
    r"|较上年末|比上年末|较去年末|比去年末|较年初|比年初|较上月|比上月|环比",
    r"|[比较]“?(?:十[一二三四五六]?|[六七八九])五”?(?:时期|期间)?",
    r"|较(?:第)?[一二三四]季度|比(?:第)?[一二三四]季度|较上季度|比上季度",
);

/// Year-on-year baselines.
pub(crate) const YOY_BASIS: &str = concat!(
    r"同比|比上年同期|较上年同期|比去年同期|较去年同期|与上年同期相比|与去年同期相比",
    r"|比上年执行数|比上年|较上年|比去年|较去年",
);

/// Words stripped from the start of a metric phrase: time, place, discourse markers.
pub(crate) const PHRASE_PREFIX: &str = concat!(
    r"^(?:(?:[一二三四1-4][、和及与])+[一二三四1-4]季度|(?:\d{4}年[、和及与])+\d{4}年|[-*•·\s]+|\[注?\d{1,2}\]|\d{1,2}[、)）]|[(（]\d{1,2}[)）]|[①-⑳]|[两三四五]年(?:来|间)?|稳步|首次|再次|到\d{4}年(?:底|末)?|\d{4}年|今年以来|今年|去年|上半年|下半年|全年|前三季度|第?[一二三四]季度",
    r"|\d{1,2}[-—–~至到]\d{1,2}(?:月|季度)|[一二三四][-—–至到][一二三四]季度|\d{1,2}月(?:份|末|底|当月)?|当月|单月",
    // `年度目标为城镇新增就业6.5万人`, `年度预算为增长4%`: what the target is.
    r"|(?:年度|全年)?(?:目标|预算)(?:为|是)",
    r"|年初计划|年初确定|年初目标|年初预算|年度|年末|年底|年初|截至|截止|其中|此外|同时|另外|总体|预计|力争|确保|争取|预期|目标|主要目标是|超额完成|为实现|为完成|实现|完成|累计|再|共|合计|在|对|年",
    // Conjunctions before a clause of the same metric (`…,但较上年下降8%`), an adverb of
    // completion (`超额完成增长10%的年度目标`), a currency the growth is counted in.
    r"|但|而|超额|以(?:人民币|美元)计",
    // `我们要奋力实现地区生产总值达到…`: the speaker and the resolve, before the metric;
    // `确定了地区生产总值增长6%、…等主要预期目标`: the verb setting a list of targets.
    r"|我们|要|奋力|努力|全力|确定了|提出了|明确了",
    // `二是固定资产投资下降3.1%`: the item of an enumeration.
    r"|[一二三四五六七八九十]是",
    // `略低于5.5%左右的预期目标`, `优于33微克/立方米的目标`: a comparison with the target.
    r"|保持|控制|修订后|调整后|(?:略|稍|均|明显)?(?:低于|高于|快于|慢于|好于|优于)",
    // `未完成增长4%的年度目标`, `年初确定的国内生产总值…`: what is said of the target.
    r"|未完成|未实现|未达到|未能完成|的",
    // Five-year plans before the metric (`“九五”期间外贸进出口总额`).
    r"|“?(?:十[一二三四五六]?|[六七八九])五”?(?:期间|时期|以来|期末|末)",
    r"|全区|全市|全县|全省|全镇|全国|我国|我区|本区|我市|本市|我县|本县|区域|上半年|初步核算",
    r"|\d+(?:\.\d+)?(?:家|个|户|名|项))",
);

/// A date inside a metric phrase: what stands before it is the clause's verb or subject
/// (`我们将锚定到2030年地区生产总值`), not part of the metric.
pub(crate) const PHRASE_INNER_DATE: &str = r"(?:到|至)\d{4}年(?:底|末)?";

/// Words stripped from the end of a metric phrase: verbs, baselines, qualifiers.
pub(crate) const PHRASE_SUFFIX: &str = concat!(
    r"(?:初步核算|实现|完成|达到|达|为|是|约|累计|共|合计|总计|保持在|控制在|稳定在|均|分别|单季|当季|的",
    r"|力争|争取|确保|预计|预期|年初计划|年初确定|计划|安排|要|将|继续|保持|平均|有望",
    // `城镇调查失业率每年均控制在5.5%以内`: each year of a span.
    r"|每年均|每年",
    r"|下降至|下降到|降至|降到|提高到|提高至|增长至|增长到|增加到|增加至|上升至|上升到|回落至|回落到|回升至|回升到",
    r"|降低至|降低到|减少至|减少到|扩大至|扩大到|缩小至|缩小到",
    r"|增长率|增长|增速|增幅|上涨|涨幅|下降|降低|减少|增加|提高|提升|上升|回落|下滑|扩大|收窄|回升|降幅|高达",
    r"|按可比价格计算|按不变价格计算|按现价计算|按(?:自然|同)口径计算|按?自然口径|按?同口径|按\d{4}年(?:不变)?价格计算",
    // `单位地区生产总值能耗年度目标为下降3%`: what the target is, after the metric.
    r"|(?:年度|全年)目标(?:为|是)",
    // `完成年度目标3200人的108.1%`, `完成年度预算12.57亿元的102.3%`: the target stated
    // before its figure, after the metric.
    r"|(?:年度|全年)(?:目标|预算|任务)|(?:年度|全年)?目标任务",
    // `规模以上工业增加值在上年增长4.6%的基础上增长6.3%`: the year before as a basis.
    r"|在上年|在去年",
    // `经济总量按年平均汇率折算达到17.7万亿美元`, `以人民币计比上年增长21.4%`.
    r"|按[^,;:]{0,8}?汇率折算|以(?:人民币|美元)计",
    // `财政收入预算安排为14770亿元`: the budget's figure for the metric.
    r"|预算安排|逐步|持续|稳步|明显|大幅|小幅|进一步|逆势|逆市",
    r"|[比较]“?(?:十[一二三四五六]?|[六七八九])五”?(?:时期|期间)?",
    r"|同比|比上年同期|较上年同期|比去年同期|较去年同期|比上年执行数|比上年|较上年|比去年|较去年",
    r"|两年平均|三年平均|年均|较上年末|比上年末|较年初|比年初|环比|[比较](?:第)?[一二三四]季度|[比较](?:上半年|前三季度)|[比较](?:1[-—–~至到])?\d{1,2}月份?|[比较]\d{4}年(?:同期|上半年)?",
    r"|剔除[^,;:]{0,10}?因素(?:影响)?后?|超过|超|近|逾|突破|不低于|不少于|不超过|\s|-",
    // `比上年名义增长5.3%,扣除价格因素实际增长5.0%`: adverbs of a growth, not metrics.
    r"|名义|实际|可比|扣除价格因素后?",
    r"|增收|增支|减收|减支|提升至|提升到|增至|升至|跃升至|跃升到",
    r"|[从由](?:\d{4}年(?:末|底)?的?)?|连续迈上|迈上|跨越|跨过|连跨|接连|先后|相继|首次|创历史新高|翻番|双双",
    // `经济总量虽已突破2.8万亿元`: adverbs before the verb.
    r"|虽已|虽然|已经|均已|已",
    // `地区生产总值连续迈上4个万亿元台阶、达14.2万亿元`: the steps passed, not a value.
    r"|(?:连续)?(?:迈上|跨越|跨过|连跨)\d+个[^,;:、]{0,6}(?:台阶|大关)",
    // A date after the metric (`固定资产投资1-11月同比下降4.6%`).
    r"|\d{1,2}[-—–~至到]\d{1,2}月|\d{1,2}月(?:份|末|底)?|上半年|前三季度|第?[一二三四]季度",
    r"|\d{4}年(?:末|底)?)$",
);

/// Verbs of a result that, after `实际`, repeat the current metric: `年初计划新设市场主体
/// 1.5万户,实际新设1.68万户`, `年初计划1.8万人,实际新增2.05万人`.
pub(crate) const RESULT_VERBS: &[&str] = &["新设", "新增", "新登记", "完成", "实现", "达到", "达"];

/// Phrases that only repeat the current metric: `增速`, `占比` after a figure of it.
pub(crate) const CONTINUATION_HEADS: &[&str] = &[
    "增速", "增幅", "占比", "比重", "总量", "数量", "规模", "总额", "水平", "降幅", "其",
];

/// A baseline named before its level (`较“十三五”末的9323.1亿元`): the level the current
/// metric grew from, no metric of its own.
pub(crate) const BASELINE_LEAD: &str = r#"^(?:较|比)(?:“?十[一二三四五]五”?(?:末|期末)|\d{4}年(?:末|底)?|(?:上|去)年(?:末|同期)?)的?$"#;

/// A growth rate of an earlier time named as the baseline of a change in points
/// (`增速比上年同期(5.3%)提高0.3个百分点`, `增速较上半年的7.5%回落1.2个百分点`): the lead
/// before the rate. `t` is the earlier time; without `增速` (`较去年同期的4.1%`) only right
/// after a growth.
pub(crate) const GROWTH_BASELINE: &str = concat!(
    r"(?P<rate>增速|增幅)?(?:比|较)(?P<t>上年同期|去年同期|上年|去年|上半年|一季度|第一季度|前三季度",
    r"|前两个月|1[-—]\d{1,2}月)(?:的|\(|（)$",
);

/// Verbs that end a clause describing the figure after it, not naming a metric
/// (`未完成年初确定的增长8%的目标`, `省下达的下降2.5%`): the figure is the current metric's.
pub(crate) const SETTING_VERBS: &[&str] = &[
    "确定", "下达", "提出", "设定", "制定", "明确", "确立", "要求", "预期",
];

/// Openings of an exclusion that qualifies the growth after it (`扣除留抵退税因素后同比增长
/// 8.9%`): still the current metric's growth, as the gold format says.
pub(crate) const EXCLUSION_OPENINGS: &[&str] = &["扣除", "剔除", "不考虑", "排除"];

/// Heads that need a subject from context: `6月月均浓度` (of the pollutant named before),
/// `实现增加值` (of the industry the sentence is about).
pub(crate) const CONTEXT_HEADS: &[&str] = &["浓度", "增加值", "利润总额", "利润"];

/// Generic metrics that a sentence about one industry or area narrows to it:
/// `金融业…实现税收15.6亿元` is the financial industry's tax, not the region's.
pub(crate) const TOPIC_NARROWED: &[&str] =
    &["税收", "增加值", "收入", "利润", "产值", "营业收入", "投资"];

/// A sentence opening that names a sub-area or an industry, the topic of what follows.
/// Everything a sentence says after naming a sub-area is that area's
/// (`自贸区挂牌至今年6月,…实际利用外资33.6亿美元`); an industry narrows only generic
/// metrics (`金融业…实现税收15.6亿元`), since `工业继续保持增长,规模以上工业增加值…` is still
/// the region's headline.
pub(crate) const SUBAREA_TOPIC: &str = concat!(
    r"^(?:\d{4}年|上半年|今年以来|其中)?(?P<topic>[\p{Han}A-Za-z]{1,10}?",
    r"(?:(?P<area>园区|商务区|功能区|开发区|自贸区|试验区|片区|街道|乡镇|园|区)|(?P<industry>产业|行业|业)))",
    r"(?:进一步|持续|继续|不断|加快|实现|发挥|保持|挂牌|$|[,;:])",
);

/// Verbs (`|`-separated) that make an area or industry at the head of a sentence the
/// object of an action (`做强安澜综合保税区,力争实际利用外资增长8%`, `推动浦宁新区…`), not
/// the subject whose figures follow: the figures are the whole region's.
pub(crate) const TOPIC_ACTION_VERBS: &str = concat!(
    "做强|做大|做优|做实|推动|推进|支持|建设|打造|培育|壮大|深化|用好|办好|创建|提升",
    "|加快建设|加快推进|高标准建设|高水平建设",
);

/// Rank phrases: `增速全市第一`, `居全市第四`, `总量全市双第一`, `居各行业之首`.
pub(crate) const RANK: &str = concat!(
    r"(?:全市|全省|全国|全区|各区|各行业|各区县|城六区|涉农区|[\p{Han}]{0,6}区)[^,;:]{0,4}?",
    r"(?:双?第[一二三四五六七八九十\d]+(?:位|名)?|首位|之首|前列|前茅)",
);

/// Cue words that make a figure a forecast when they precede it in the sentence.
pub(crate) const FORECAST_CUE: &str = r"预计|有望";

/// Cue words that make a figure a plan target when they precede it in the sentence. Those
/// that cite a target set at the start of the year reviewed (`年初计划`, `年初预期目标`) govern
/// only their own clause in a review and date the target by the reviewed year.
pub(crate) const TARGET_CUE: &str = concat!(
    r"主要目标|预期目标|目标是|目标为|预期(?:增长|为|在|达到)|力争|争取|确保|拟|计划(?:实现|完成|达到|增长)",
    r"|奋斗目标|发展目标|年初计划|年初(?:预期|确定的?)?目标|年初预算|预算安排|年度目标",
    // `…审议批准的国民经济和社会发展计划确定,全县地区生产总值增长6.5%,…`; `年度预算为增长4%`.
    r"|计划确定|预算为",
);

/// Section headings of plans (the figures under them are targets) ...
pub(crate) const PLAN_HEADING: &str = r"安排|草案|目标|任务|措施|下半年|思路|建议|打算|重点工作|工作部署|总体部署|展望|今后|计划(?:要点|安排)";

/// ... and of reviews (the figures under them are actuals); a review cue wins over a plan
/// cue in the same heading (`2021年国民经济和社会发展计划执行情况`).
pub(crate) const REVIEW_HEADING: &str = concat!(
    // `主要工作` reviews, unless it names the measures or plans ahead (`下半年主要工作措施`).
    r"执行情况|回顾|完成情况|推进情况|落实情况|成绩|进展|成效|运行情况|总体情况|工作总结|取得",
    r"|主要工作(?:$|[^措安任部打])",
    // `(一)经济运行总体平稳,主要预期目标较好实现`: targets reached are a review.
    r"|较好实现|全面完成|顺利完成|基本完成|圆满完成|全面实现|顺利实现",
);

/// Metrics that are themselves a rate of change (a price index's rise): a percentage stated
/// for them (`居民消费价格涨幅控制在3%左右`) is their growth, never a level.
pub(crate) const CHANGE_METRICS: &[&str] = &["cpi"];

/// Words in a figure's lead that make it a sum or an average over a span of years.
pub(crate) const CUMULATIVE_WORDS: &[&str] = &["累计", "五年", "年均", "每年", "年平均"];

/// Words in a growth figure's lead that make it a growth over several years, not over the
/// year before (`五年增长30.8%`).
pub(crate) const SPAN_WORDS: &[&str] = &["五年", "十年"];

/// Words anywhere before a growth figure in its sentence that make it a growth over the
/// span they name (`五年累计,单位国内生产总值能耗下降19.1%`).
pub(crate) const SPAN_OPENINGS: &[&str] = &["五年累计", "五年合计", "五年来", "五年间"];

/// Endings of a sub-area's name (`云岭高新区`, `城关镇`): a metric of one is not the region's.
pub(crate) const SUBAREA_ENDINGS: &[&str] = &[
    "高新区",
    "开发区",
    "新区",
    "园区",
    "工业园",
    "经济区",
    "自贸区",
    "示范区",
    "经开区",
    "产业园",
    "集聚区",
    "保税区",
    "合作区",
    "片区",
    "街道",
    "镇",
    "乡",
];

/// Endings of a bank's name (`县农村商业银行`): its balances are not the region's.
pub(crate) const BANK_ENDINGS: &[&str] = &["银行", "信用社", "联社", "农商行"];

/// Heads of new entrants that take what they count from the metric before them
/// (`经营主体总量达1461.4万户,新登记147万户`).
pub(crate) const ENTRANT_HEADS: &[&str] = &["新登记", "新设", "新注册", "新增", "净增"];

/// Verbs that pass a list of milestones (`连跨5万亿元、6万亿元`, `接连突破8万亿元、9万亿元`).
pub(crate) const MILESTONE_VERBS: &[&str] = &[
    "连跨",
    "接连突破",
    "连续突破",
    "相继突破",
    "先后突破",
    "连续跨越",
    "接连跨越",
    "连续跨过",
    "连续迈上",
    "先后跨越",
    "相继跨越",
    "先后迈上",
    "相继迈上",
];

/// Metrics that count what happened during a period (new jobs, new businesses): over a span
/// of years their figures are sums, never a level at its end.
pub(crate) const FLOW_METRICS: &[&str] = &["new_urban_jobs", "new_enterprises"];

/// An industry structure written as a ratio, `三次产业结构调整为8.7:48.5:42.8`: its third
/// term is the tertiary industry's share of output, in percent.
pub(crate) const INDUSTRY_STRUCTURE: &str = concat!(
    r"(?:三次产业|产业)(?:结构|比重|比例)(?:比例)?[^\d。;]{0,8}?",
    r"\d+(?:\.\d+)?\s*[:∶：]\s*\d+(?:\.\d+)?\s*[:∶：]\s*(?P<tertiary>\d+(?:\.\d+)?)",
    // `由8.7∶41.2∶50.1调整为7.4∶39.6∶53`: the structure at both ends of a change.
    r"(?:[^\d。;]{0,6}?(?:调整|优化|转变|演变|变|提升|改善)(?:为|到|至)\s*",
    r"\d+(?:\.\d+)?\s*[:∶：]\s*\d+(?:\.\d+)?\s*[:∶：]\s*(?P<tertiary_to>\d+(?:\.\d+)?))?",
);

/// The metric phrase a structure ratio gives the value of.
pub(crate) const TERTIARY_SHARE_PHRASE: &str = "第三产业占比";

/// A metric unchanged from a year before (`居民消费价格与上年持平`): growth 0.
pub(crate) const UNCHANGED: &str = concat!(
    r"(?P<metric>[\p{Han}A-Za-z0-9.]{2,16}?)",
    r"(?:(?:与上年|与去年|比上年|同比|与上年同期|涨幅|增幅|增速)(?:基本)?|基本)持平",
);

/// Subjects that name a headline metric only when a growth is stated for them: the economy
/// grows by its GDP, investment by fixed-asset investment.
pub(crate) const GROWTH_SUBJECTS: &[(&str, &str)] = &[
    ("经济", "地区生产总值"),
    ("全年经济", "地区生产总值"),
    ("投资", "固定资产投资"),
    ("全年投资", "固定资产投资"),
];

/// Place words of the levels above a region, by the region's own level: a district or
/// county report cites its city, province and country (`全市经济增长`), a city report its
/// province and country, a province report the country.
pub(crate) fn broader_places(region: &str) -> &'static [&'static str] {
    if region.ends_with(['区', '县', '旗']) && !region.ends_with("自治区") {
        // A county or banner may lie in an autonomous prefecture or a league.
        &["全市", "全州", "全盟", "全省", "全自治区", "全国"]
    } else if region.ends_with(['市', '州', '盟']) {
        &["全省", "全国", "全自治区"]
    } else if region.ends_with('省') || region.ends_with("自治区") {
        &["全国"]
    } else {
        &[]
    }
}

/// Whether a clause opens with the same part of the year before (`上年同期为下降1.3%`,
/// `而去年同期为…`), after a conjunction if any: its figure is the current metric's then.
pub(crate) fn opens_same_time_before(seg: &str) -> bool {
    let seg = clause_opening(seg);
    seg.starts_with("上年同期") || seg.starts_with("去年同期")
}

/// A clause from where its words start: past an opening bracket (`(上年为96.42亿元)`, in
/// brackets after this year's figure) and a conjunction (`而`, `但`, `且`), if any.
fn clause_opening(seg: &str) -> &str {
    let seg = seg.trim_start().trim_start_matches(['(', '（']);
    ["而", "但", "且"]
        .iter()
        .find_map(|c| seg.strip_prefix(c))
        .unwrap_or(seg)
}

/// Whether a clause opens with the whole year before as its subject (`上年为增长3.9%`,
/// `而去年为1100亿元`), after a conjunction if any: its figure is the current metric's,
/// in that year.
pub(crate) fn opens_year_before(seg: &str) -> bool {
    let seg = clause_opening(seg);
    // `上年增长24.1%` (a growth verb right after the year) as `上年为增长24.1%`.
    let verbs = ["增长", "下降", "上涨", "下跌"];
    let seg = seg.trim_end();
    ["上年为", "去年为", "上年是", "去年是"]
        .iter()
        .filter_map(|w| seg.strip_prefix(w))
        .any(|verb| verb.is_empty() || verbs.contains(&verb))
        || ["上年", "去年"]
            .iter()
            .filter_map(|w| seg.strip_prefix(w))
            .any(|verb| verbs.contains(&verb))
}

/// Whether a figure after the clause `seg` and before `after` is the growth of the year
/// before stated as the basis of this year's (`在上年增长6.8%的较高基数上`, `在去年增长4.6%的
/// 基础上`).
pub(crate) fn opens_year_before_basis(seg: &str, after: &str) -> bool {
    let seg = seg.trim();
    ["在上年增长", "在去年增长", "在上年下降", "在去年下降"]
        .iter()
        .any(|w| seg.ends_with(w))
        && growth_as_basis(seg, after)
}

/// Whether a growth figure between `before` and `after` is stated as the basis of another
/// (`在上年增长6.8%的较高基数上`, `在前三季度国内生产总值同比增长5.2%的基础上`): its clause
/// holds `在` and ends with a growth verb, and `的…基数`/`的…基础` follows.
pub(crate) fn growth_as_basis(before: &str, after: &str) -> bool {
    let clause = before
        .rfind([',', '，', ';', '；', '。'])
        .map_or(before, |i| &before[i + 1..])
        .trim_start();
    clause.contains('在')
        && (clause.ends_with("增长") || clause.ends_with("下降"))
        && after.starts_with('的')
        && after.chars().take(8).any(|c| c == '基')
}

/// Whether a clause continues the metric before it after a basis of the year before
/// (`…的较高基数上增长5.6%`, `…的基础上增长6.3%`).
pub(crate) fn continues_after_basis(seg: &str) -> bool {
    let seg = seg.trim_start();
    seg.starts_with('的') && (seg.contains("基数上") || seg.contains("基础上"))
}
