//! The fast paths of the sentence reader (byte-level splitting, rank and topic prefilters,
//! trim predicates) against their plain definitions, as property tests.

use super::super::figures::is_negative;
use super::super::sentences::{may_hold_rank, may_name_topic};
use super::super::*;

/// The byte-level sentence splitter against the plain definition: split at the
/// terminators, except a question mark beside a digit, drop empty pieces.
fn reference_sentences(text: &str) -> Vec<(usize, String, bool)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let digit_beside = text[..i].ends_with(|c: char| c.is_ascii_digit())
            || text[i + c.len_utf8()..].starts_with(|c: char| c.is_ascii_digit() || c == '.');
        let question = matches!(c, '?' | '？');
        if matches!(c, '。' | '!' | '！' | '\n') || (question && !digit_beside) {
            if i > start {
                let s = &text[start..i];
                out.push((start, s.to_string(), s.bytes().any(|b| b.is_ascii_digit())));
            }
            start = i + c.len_utf8();
        }
    }
    if start < text.len() {
        let s = &text[start..];
        out.push((start, s.to_string(), s.bytes().any(|b| b.is_ascii_digit())));
    }
    out
}

proptest::proptest! {
    #[test]
    fn sentences_match_the_reference(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "。", "!", "?", "！", "？", "\n", "、", "《", "》", "」", "\u{3400}", "\u{FF01}",
                "\u{FF0C}", "增长", "5.2%", "7", ".", "a", " ", "亿元", "千", "\u{E000}", "𠀀",
            ]),
            0..40,
        )
    ) {
        let text: String = pieces.concat();
        let ours: Vec<(usize, String, bool)> = sentences(&text)
            .into_iter()
            .map(|s| (s.start, s.text.to_string(), s.has_digit))
            .collect();
        // Character offsets asked for in order agree with counting from the start.
        let mut offsets = CharOffsets::new(&text);
        for (start, _, _) in &ours {
            let expected = u32::try_from(text[..*start].chars().count()).unwrap_or(u32::MAX);
            proptest::prop_assert_eq!(offsets.at(*start), expected);
        }
        proptest::prop_assert_eq!(ours, reference_sentences(&text));
    }
}

/// The cheap test before the rank regex never rejects a clause the regex would match.
#[test]
fn rank_prefilter_keeps_every_rank_phrase() {
    let ex = IndicatorExtractor::new(&Taxonomy::bundled());
    for phrase in [
        "增速全市第一",
        "居全市第四",
        "总量全市双第一",
        "居各行业之首",
        "位居全市前列",
        "城六区第2位",
        "涉农区首位",
        "名列全国前茅",
        "全省第十名",
    ] {
        assert!(ex.rank.is_match(phrase), "{phrase}");
        assert!(may_hold_rank(phrase), "{phrase}");
    }
}

proptest::proptest! {
    #[test]
    fn rank_prefilter_is_implied_by_the_regex(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "全市", "全区", "全省", "全国", "各行业", "城六区", "朝阳区", "区", "市", "第",
                "一", "2", "双", "位", "名", "首位", "之首", "前列", "前茅", "增速", "居", ",",
                "前", "首", "之", "列", "茅",
            ]),
            0..12,
        )
    ) {
        let ex = IndicatorExtractor::new(&Taxonomy::bundled());
        let text: String = pieces.concat();
        if ex.rank.is_match(&text) {
            proptest::prop_assert!(may_hold_rank(&text), "{}", text);
        }
    }
}

proptest::proptest! {
    /// The cheap test before the topic regex never rejects an opening the regex matches.
    #[test]
    fn topic_prefilter_is_implied_by_the_regex(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "2021年", "上半年", "今年以来", "其中", "运河", "商务区", "园区", "功能区",
                "开发区", "自贸区", "试验区", "片区", "街道", "乡镇", "园", "区", "产业",
                "行业", "业", "金融", "进一步", "持续", "实现", "挂牌", ",", ":", "abc",
                "发展", "经济",
            ]),
            0..10,
        )
    ) {
        let ex = IndicatorExtractor::new(&Taxonomy::bundled());
        let text: String = pieces.concat();
        if ex.topic.is_match(&text) {
            proptest::prop_assert!(may_name_topic(&text), "{}", text);
        }
    }
}

/// `is_negative` reads the verb off the start of a match: for every verb of the lexicon,
/// with or without a particle, that agrees with the list of decrease verbs.
#[test]
fn negative_verbs_are_read_off_the_match_start() {
    let verbs = lexicon::GROWTH_VERB
        .strip_prefix("(?P<verb>")
        .and_then(|rest| rest.split_once(')'))
        .map(|(alternatives, _)| alternatives)
        .expect("GROWTH_VERB starts with its verb group");
    let ex = IndicatorExtractor::new(&Taxonomy::bundled());
    for verb in verbs.split('|') {
        for particle in ["", "为", "了", "分别为"] {
            let seg = format!("地区生产总值同比{verb}{particle}");
            let m = ex.growth_verb.find(&seg).expect("a growth verb matches");
            assert_eq!(
                is_negative(m.as_str()),
                lexicon::NEGATIVE_VERBS.contains(&verb),
                "{seg}"
            );
        }
    }
}

proptest::proptest! {
    /// `resolve` skips stripping a phrase that is already a noun phrase: stripping one
    /// must change nothing.
    #[test]
    fn noun_phrases_are_fixed_points(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "全区", "2021年", "上半年", "\"", "“", "”", "-", " ", "*", "地区生产总值", "实现",
                "同比", "增长", "达到", "累计", "其中", "税收", "的", "比上年", "预计", "[2]",
                "1-6月", "12家", "、", "和",
            ]),
            0..10,
        )
    ) {
        let ex = IndicatorExtractor::new(&Taxonomy::bundled());
        let text: String = pieces.concat();
        let once = ex.noun_phrase(&text);
        proptest::prop_assert_eq!(ex.noun_phrase(once), once, "{}", text);
    }
}

/// The list bullets both trim predicates accept.
const BULLETS: &str = "—–―●○■□◆◇★☆▲△►▶";

/// The trim predicates written as a `match` accept exactly the characters of the strings
/// they replaced, checked on every `char`.
#[test]
fn trim_predicates_equal_their_character_lists() {
    for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
        assert_eq!(
            super::noun_phrase::is_phrase_edge(c),
            c.is_whitespace() || "-*•·\"“”'‘’".contains(c) || BULLETS.contains(c),
            "{c:?}"
        );
        assert_eq!(
            super::sentences::is_clause_lead(c),
            c.is_whitespace() || "-*•·、".contains(c) || BULLETS.contains(c),
            "{c:?}"
        );
    }
}

proptest::proptest! {
    /// Searching a word once over the whole text and asking each sentence for its span
    /// answers as searching each sentence.
    #[test]
    fn occurrences_equal_a_search_per_sentence(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "持平", "千", "持", "平", "千亿元", "。", "\n", "!", "?", "！", "增长", "5%", "a",
                "基本持平", "三千", "",
            ]),
            0..30,
        )
    ) {
        let text: String = pieces.concat();
        for word in ["持平", "千"] {
            let finder = memchr::memmem::Finder::new(word);
            let mut at = super::sentences::Occurrences::new(&finder, &text);
            for s in super::sentences::sentences(&text) {
                proptest::prop_assert_eq!(
                    at.within(s.start, s.start + s.text.len()),
                    s.text.contains(word),
                    "{} in {:?}", word, s.text
                );
            }
        }
    }
}

proptest::proptest! {
    /// Merging the terminator streams gives the sorted terminators.
    #[test]
    fn merged_terminators_equal_sorted_ones(
        pieces in proptest::collection::vec(
            proptest::sample::select(vec![
                "。", "\n", "!", "?", "！", "？", "增长5%", "经济", "a", "\u{FF01}", "",
            ]),
            0..40,
        )
    ) {
        let text: String = pieces.concat();
        proptest::prop_assert_eq!(
            super::sentences::terminators(&text),
            super::sentences::terminators_sorted(&text)
        );
    }
}
