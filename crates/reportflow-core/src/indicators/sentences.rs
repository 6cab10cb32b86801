//! Sentences and clauses: splitting text into sentences at their terminators and leads
//! into clauses, character offsets of byte offsets, the cheap tests that skip regex
//! searches, and the kind and period cues of a sentence.
use super::lexicon;
use super::period;
use super::IndicatorExtractor;

impl IndicatorExtractor {
    /// The kind and period cues of a sentence, found once for all its figures. Comparison
    /// clauses (`高于全年预期目标`) are left out: their time words and targets are about the
    /// thing compared with.
    ///
    /// Each pattern runs once over the whole sentence rather than once per clause: no cue
    /// spans a clause separator, so the matches are the same, and a regex search has a
    /// fixed cost that dominates on short clauses.
    /// The cues of sentence `s`; `last_year` is the year `去年` names in it, if known.
    pub(super) fn sentence_cues(&self, s: &str, last_year: Option<i32>) -> SentenceCues {
        // Byte ranges of the comparison clauses; a cue belongs to the clause it ends in.
        let comparisons: Vec<(usize, usize)> = segments(s, 0)
            .into_iter()
            .filter(|(_, seg)| self.comparison.is_match(seg.trim()))
            .map(|(start, seg)| (start, start + seg.len()))
            .collect();
        let counts = |end: usize| !comparisons.iter().any(|&(a, b)| a < end && end <= b);
        // `增长6%左右的预期目标未能完成,实际增长5.3%`: a cue that names the figure before
        // it a target says nothing of the figures after it.
        let names_figure_before = |start: usize| {
            let before = s[..start].trim_end_matches('的');
            let before = lexicon::QUALIFIERS_AFTER
                .iter()
                .find_map(|q| before.strip_suffix(q))
                .unwrap_or(before);
            before.ends_with(|c: char| c.is_ascii_digit() || matches!(c, '%' | '元' | '人' | '户'))
        };
        // `比预期目标多出286万人`: a target compared with, not set.
        let compared_with = |start: usize| {
            let before = &s[..start];
            [
                "比", "较", "超过", "超出", "高于", "低于", "好于", "快于", "慢于",
            ]
            .iter()
            .any(|w| before.ends_with(w))
        };
        let mut targets = self.target_cue.find_iter(s).filter(|m| {
            counts(m.end()) && !names_figure_before(m.start()) && !compared_with(m.start())
        });
        let target = targets.next().map(|first| {
            // `年初计划的主要目标是:…`: the list opener after a cited target governs the list.
            if is_cited_target(first.as_str()) {
                targets
                    .find(|m| !matches!(m.as_str(), "力争" | "争取" | "确保"))
                    .filter(|m| !is_cited_target(m.as_str()))
                    .unwrap_or(first)
            } else {
                first
            }
        });
        // Each forecast cue with the end of what it governs: a cue after a metric in its
        // clause (`能耗预计下降2.8%,可完成…;PM2.5平均浓度31微克/立方米`) governs that clause
        // up to the next `;`, unless it opens a list there; one that opens the sentence or
        // a clause (`预计全年…;…`) governs all that follows.
        let forecasts: Vec<(usize, Option<usize>)> = self
            .forecast_cue
            .find_iter(s)
            .filter(|m| counts(m.end()))
            .map(|m| {
                let before = &s[..m.start()];
                let clause = before
                    .rfind(['，', ',', '；', ';', '：', ':'])
                    .map_or(before, |i| &before[i + 1..]);
                let rest = &s[m.end()..];
                // `…增长9.8%,预计全年增长9.6%,…;规上工业总产值完成…`: a cue that goes on
                // with a change, naming nothing, is about the metric before it.
                let after = rest.trim_start();
                let after = ["全年", "今年", "年内", "上半年", "前三季度"]
                    .iter()
                    .find_map(|t| after.strip_prefix(t))
                    .unwrap_or(after);
                let continues = [
                    "增长", "下降", "增速", "增幅", "可达", "达到", "完成", "实现",
                ]
                .iter()
                .filter_map(|v| after.strip_prefix(v))
                // `预计全年增长9.6%` goes on; `预计全年完成地区生产总值…` names a metric.
                .any(|r| {
                    r.trim_start_matches(['约', '为'])
                        .starts_with(|c: char| c.is_ascii_digit())
                });
                let until = rest
                    .find(['；', ';'])
                    .filter(|&close| {
                        (!clause.trim().is_empty() || continues)
                            && !rest[..close].contains(['：', ':'])
                    })
                    .map(|close| m.end() + close);
                (m.end(), until)
            })
            .collect();
        let mut times = self.periods.all(s);
        if let Some(year) = last_year {
            // `去年全市地区生产总值增长5.7%` among this year's targets: a result of that
            // year. (`比去年`, `去年同期`, `去年底`, `去年以来` are baselines or spans.)
            times.extend(period::last_year_mentions(s).map(|end| {
                let t = period::TimeRef {
                    year: Some(year),
                    part: period::Part::Year,
                };
                (end, t)
            }));
            // `预计今年全国一般公共预算收入增长3.3%`: the year the report was written.
            for end in period::this_year_mentions(s) {
                for (at, t) in times.iter_mut() {
                    if *at == end && t.year.is_none() && t.part == period::Part::Year {
                        t.year = Some(year + 1);
                    }
                }
            }
            times.sort_by_key(|(end, _)| *end);
        }
        let (time, compared_time) = times
            .into_iter()
            .partition::<Vec<_>, _>(|(end, _)| counts(*end));
        // `完成全年12万人目标任务的27.1%`: a time inside a comparison dates the figures of
        // that comparison only.
        let compared_time = compared_time
            .into_iter()
            .filter_map(|(end, t)| {
                let &(_, clause_end) = comparisons.iter().find(|&&(a, b)| a < end && end <= b)?;
                Some((end, clause_end, t))
            })
            .collect();
        SentenceCues {
            time,
            compared_time,
            forecasts,
            target: target.map(|m| m.end()),
            // `计划确定,…` opens the list it cites: it governs all of it.
            target_is_verb: target.is_some_and(|m| {
                matches!(m.as_str(), "力争" | "争取" | "确保")
                    || (is_cited_target(m.as_str()) && m.as_str() != "计划确定")
            }),
            target_cited: target.is_some_and(|m| is_cited_target(m.as_str())),
            span_opening_end: self.words.span_openings.first_end(s),
        }
    }
}

/// Character offsets of byte offsets in one sentence, without counting from the start every
/// time: a sentence can be a whole document (no `。` in 16 MiB), with a figure every few
/// characters, and per-figure counting from the start would be quadratic.
pub(super) struct CharIndex<'a> {
    s: &'a str,
    /// Byte offsets of every `CHECKPOINT`-th character.
    marks: Vec<usize>,
}

const CHECKPOINT: usize = 64;

/// Sentences up to this many bytes get no checkpoints.
const SHORT_SENTENCE: usize = 2048;

impl<'a> CharIndex<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        // Counting a short sentence from its start is cheaper than checkpointing it.
        let marks = if s.len() <= SHORT_SENTENCE {
            Vec::new()
        } else {
            s.char_indices()
                .step_by(CHECKPOINT)
                .map(|(i, _)| i)
                .collect()
        };
        CharIndex { s, marks }
    }

    /// The number of characters before byte offset `byte` (a character boundary).
    pub(super) fn before(&self, byte: usize) -> u32 {
        let byte = byte.min(self.s.len());
        let k = self.marks.partition_point(|m| *m <= byte).saturating_sub(1);
        let mark = self.marks.get(k).copied().unwrap_or(0);
        let within = count_chars(self.s.get(mark..byte).unwrap_or(""));
        u32::try_from(k * CHECKPOINT)
            .unwrap_or(u32::MAX)
            .saturating_add(within)
    }
}

/// Where a sentence's kind and period cues end (byte offsets), so each figure takes the
/// cues before it.
#[derive(Debug, Default)]
pub(super) struct SentenceCues {
    /// Time phrases, in order, with the offset where each ends.
    pub(super) time: Vec<(usize, period::TimeRef)>,
    /// Time phrases inside comparison clauses, with where each and its clause end.
    pub(super) compared_time: Vec<(usize, usize, period::TimeRef)>,
    /// Forecast cues (`预计`): where each ends and where what it governs ends, if before
    /// the sentence's end.
    pub(super) forecasts: Vec<(usize, Option<usize>)>,
    /// End of the first target cue (`目标`, `力争`).
    pub(super) target: Option<usize>,
    /// Whether that cue is a verb (`力争`, `争取`, `确保`), which governs its own clause,
    /// rather than a list opener (`主要目标是:`), which governs all that follows.
    pub(super) target_is_verb: bool,
    /// Whether that cue cites a target set for the year reviewed (`年初计划`).
    pub(super) target_cited: bool,
    /// Where the first word that opens a span of years (`五年累计`) ends: it makes every
    /// growth after it in the sentence a growth over that span.
    pub(super) span_opening_end: Option<usize>,
}

impl SentenceCues {
    /// The last time phrase that ends before byte `first` (a figure's start).
    pub(super) fn time_before(&self, first: usize) -> Option<&period::TimeRef> {
        let before = self.time.partition_point(|(end, _)| *end <= first);
        before
            .checked_sub(1)
            .and_then(|i| self.time.get(i))
            .map(|(_, t)| t)
    }

    /// The time phrase that dates a figure starting at byte `first` of sentence `s`: the
    /// last one before it, unless it dates the other end of a change (`由2020年的7.2%提升至
    /// 7.4%`: 2020 is the start's year, not the level reached; `增加到2007年13786元,…由2476
    /// 元`: 2007 is the end's year, not the start's). `from` says the figure is the start.
    pub(super) fn time_dating(
        &self,
        s: &str,
        first: usize,
        from: bool,
    ) -> Option<&period::TimeRef> {
        if let Some((_, _, t)) = self
            .compared_time
            .iter()
            .rev()
            .find(|(end, clause_end, _)| *end <= first && first < *clause_end)
        {
            return Some(t);
        }
        let before = self.time.partition_point(|(end, _)| *end <= first);
        // `外贸进出口总额…,下半年逐季回升;实际使用外资8132亿元`: a time named inside an
        // earlier clause, past a `;`, dates that clause only; one that opens the sentence
        // dates all of it.
        let (end, t) = self.time[..before].iter().rev().find(|(end, _)| {
            let crosses = s
                .get(*end..first)
                .is_some_and(|between| between.contains(['；', ';']));
            let opening = s
                .get(..*end)
                .is_some_and(|head| !head.contains(['，', ',', '；', ';', '：', ':']));
            // `工业生产回升向好,1—11月,…;规上工业总产值完成1532.8亿元`: a time that is a
            // clause of its own opens what follows, as at the sentence's start.
            let alone = s
                .get(*end..)
                .is_some_and(|rest| rest.starts_with([',', '，']))
                && time_clause_alone(s, *end);
            !crosses || opening || alone
        })?;
        let head = s.get(..*end)?;
        let head = head
            .strip_suffix(['末', '底'])
            .unwrap_or(head)
            .strip_suffix('年');
        let start = head.and_then(|h| {
            let digits = h.bytes().rev().take_while(u8::is_ascii_digit).count();
            (digits == 4).then(|| h.len() - 4)
        });
        let Some(start) = start else {
            return Some(t);
        };
        let opener = &s[..start];
        let after = s.get(*end..first).unwrap_or("");
        let start_year = opener.ends_with(['从', '由']);
        let end_year = opener.ends_with(['到', '至']);
        if (start_year && !from && after.contains(['到', '至'])) || (end_year && from) {
            return None;
        }
        Some(t)
    }
}

/// Character offsets of byte offsets of a text, asked for in increasing order: counts
/// only the characters between one question and the next, in one call each, so a whole
/// pass over the text costs one SIMD count however many offsets are asked for, and none
/// where no offset is.
pub(super) struct CharOffsets<'a> {
    text: &'a str,
    byte: usize,
    chars: u32,
}

impl<'a> CharOffsets<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        CharOffsets {
            text,
            byte: 0,
            chars: 0,
        }
    }

    /// The character offset of byte offset `byte` (a character boundary, not before the
    /// previous question).
    pub(super) fn at(&mut self, byte: usize) -> u32 {
        if byte > self.byte {
            self.chars += count_chars(self.text.get(self.byte..byte).unwrap_or(""));
            self.byte = byte;
        }
        self.chars
    }
}

/// Where a word occurs in a text, asked sentence by sentence in text order: one SIMD
/// search over the whole text instead of one per sentence (a short haystack gets none).
/// For a word that cannot overlap itself, as `持平` and `千` cannot, it tells what a search
/// of each sentence would (property test `occurrences_equal_a_search_per_sentence`).
pub(super) struct Occurrences {
    at: Vec<usize>,
    len: usize,
    next: usize,
}

impl Occurrences {
    pub(super) fn new(word: &memchr::memmem::Finder<'_>, text: &str) -> Self {
        Occurrences {
            at: word.find_iter(text.as_bytes()).collect(),
            len: word.needle().len(),
            next: 0,
        }
    }

    /// Whether the word occurs within the bytes `start..end`, asked with `start` never
    /// below that of the previous question.
    pub(super) fn within(&mut self, start: usize, end: usize) -> bool {
        while self.at.get(self.next).is_some_and(|&p| p < start) {
            self.next += 1;
        }
        self.at
            .get(self.next)
            .is_some_and(|&p| p.saturating_add(self.len) <= end)
    }
}

/// One sentence of a text.
pub(super) struct Sentence<'a> {
    /// Byte offset of the sentence in the text.
    pub(super) start: usize,
    pub(super) text: &'a str,
    /// Whether it holds an ASCII digit (most sentences without one hold no figure).
    pub(super) has_digit: bool,
}

/// Byte offsets and lengths of the sentence terminators of `text`, in order: `!` `?` and
/// line breaks, `。`, and the full-width `！` `？` (normalized text has none, but raw text
/// may).
///
/// Each kind is found with a SIMD search (`memchr3`, `memmem`) and the streams are merged:
/// this runs over the whole text, and a byte-by-byte scan cost more than all the work on
/// the sentences without figures.
pub(super) fn terminators(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = memchr::memchr3_iter(b'\n', b'!', b'?', bytes)
        .map(|i| (i, 1))
        .collect();
    // `！` and `？` share their lead byte with nothing common in Chinese text: their
    // searches are skipped when the lead byte is absent.
    let wide: &[&str] = if memchr::memchr(0xEF, bytes).is_some() {
        &["。", "！", "？"]
    } else {
        &["。"]
    };
    if let [full_stop] = wide {
        // The common case, two sorted streams: merged in one pass rather than sorted.
        let stops =
            memchr::memmem::find_iter(bytes, full_stop.as_bytes()).map(|i| (i, full_stop.len()));
        return merge_sorted(out, stops);
    }
    let before = out.len();
    for t in wide {
        out.extend(memchr::memmem::find_iter(bytes, t.as_bytes()).map(|i| (i, t.len())));
    }
    if out.len() > before {
        out.sort_unstable();
    }
    out
}

/// The items of two ascending sequences, in ascending order: what sorting their
/// concatenation gives (property test `merged_terminators_equal_sorted_ones`).
fn merge_sorted(
    a: Vec<(usize, usize)>,
    b: impl Iterator<Item = (usize, usize)>,
) -> Vec<(usize, usize)> {
    let mut b = b.peekable();
    if b.peek().is_none() {
        return a;
    }
    let mut out = Vec::with_capacity(a.len() + 16);
    let mut a = a.into_iter().peekable();
    loop {
        let take_a = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) => x <= y,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return out,
        };
        let next = if take_a { a.next() } else { b.next() };
        out.extend(next);
    }
}

/// [`terminators`] as first written: every stream collected, then sorted.
/// Whether the time phrase ending at `end` of `s` is all of its clause (`,1—11月,`).
fn time_clause_alone(s: &str, end: usize) -> bool {
    let head = &s[..end];
    let clause_start = after_last_of(s, end, &['，', ',', '；', ';', '：', ':']);
    // The phrase is the clause: the finder's match starts where the clause does.
    let clause = &head[clause_start..];
    !clause.is_empty()
        && clause.chars().count() <= 12
        && clause
            .chars()
            .all(|c| c.is_ascii_digit() || "年月季度一二三四上下半前全—-–~至到份末底个".contains(c))
}

#[cfg(test)]
pub(super) fn terminators_sorted(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize)> = memchr::memchr3_iter(b'\n', b'!', b'?', bytes)
        .map(|i| (i, 1))
        .collect();
    for t in ["。", "！", "？"] {
        out.extend(memchr::memmem::find_iter(bytes, t.as_bytes()).map(|i| (i, t.len())));
    }
    out.sort_unstable();
    out
}

/// Whether a sentence holds an ASCII digit. The test runs over blocks without an early
/// exit inside a block, which the compiler vectorizes: most sentences hold no digit and
/// are read to their end.
fn has_ascii_digit(s: &str) -> bool {
    const BLOCK: usize = 32;
    let bytes = s.as_bytes();
    let digit = |b: &u8| u8::from(b.wrapping_sub(b'0') < 10);
    let mut blocks = bytes.chunks_exact(BLOCK);
    blocks.any(|block| block.iter().fold(0, |acc, b| acc | digit(b)) != 0)
        || blocks.remainder().iter().any(|b| digit(b) != 0)
}

/// Splits text into sentences at `。` `!` `?` `！` `？` and line breaks. A question mark
/// touching a digit (`完成1?8.4亿元`, `总?318.4亿元`, `增长?.5%`) is a digit destroyed by
/// a lossy re-encoding, not the end of a question: splitting there would leave `8.4亿元`
/// standing alone as a figure of the heading's metric.
pub(super) fn sentences(text: &str) -> Vec<Sentence<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let ends = terminators(text)
        .into_iter()
        .filter(|&(end, len)| !is_destroyed_digit(text, end, len));
    for (end, len) in ends.chain(std::iter::once((text.len(), 0))) {
        let sentence = text.get(start..end).unwrap_or("");
        if !sentence.is_empty() {
            out.push(Sentence {
                start,
                text: sentence,
                has_digit: has_ascii_digit(sentence),
            });
        }
        start = end + len;
    }
    out
}

/// Whether the terminator at `at` (of `len` bytes) is a question mark standing for a
/// destroyed digit: a digit on either side of it, or a decimal point after it.
pub(super) fn is_destroyed_digit(text: &str, at: usize, len: usize) -> bool {
    let mark = &text[at..at + len];
    if mark != "?" && mark != "？" {
        return false;
    }
    let before = text[..at].chars().next_back();
    let after = text[at + len..].chars().next();
    before.is_some_and(|c| c.is_ascii_digit())
        || after.is_some_and(|c| c.is_ascii_digit() || c == '.')
}

/// Whether a clause can hold a rank phrase: every match of [`lexicon::RANK`] names a
/// field (`区` `市` `省` `国` `业`) and a position (`第` `首位` `之首` `前列` `前茅`).
/// Nearly every clause fails this, and the test costs far less than the regex.
pub(super) fn may_hold_rank(seg: &str) -> bool {
    let (mut position, mut field) = (false, false);
    let mut prev = '\0';
    // One pass over the characters: four substring searches cost more than the regex saves.
    for c in seg.chars() {
        match (prev, c) {
            (_, '第') | ('首', '位') | ('之', '首') | ('前', '列' | '茅') => {
                position = true
            }
            (_, '区' | '市' | '省' | '国' | '业') => field = true,
            _ => {}
        }
        prev = c;
    }
    position && field
}

/// Whether a sentence opening can name a topic: every match of
/// [`lexicon::SUBAREA_TOPIC`] ends its name in `区` `园` `道` `镇` or `业` within its first
/// 17 characters (a 4-character time phrase, at most 10 name characters, a 3-character
/// suffix). The capture search is skipped for the other sentences.
pub(super) fn may_name_topic(opening: &str) -> bool {
    opening
        .chars()
        .take(TOPIC_REACH)
        .any(|c| matches!(c, '区' | '园' | '道' | '镇' | '业'))
}

/// How far into a sentence [`may_name_topic`] looks, with a margin.
const TOPIC_REACH: usize = 24;

/// Splits a lead into clauses at `,` `;` `:`: (absolute offset, clause) pairs.
pub(super) fn segments(text: &str, base: usize) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    segments_into(&mut out, text, base);
    out
}

/// [`segments`] into a buffer the caller reuses: the reader splits the lead of every
/// figure, and a fresh vector each time cost as much as the split.
pub(super) fn segments_into<'t>(out: &mut Vec<(usize, &'t str)>, text: &'t str, base: usize) {
    out.clear();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // `,` `;` `:` and their full-width forms `，` `；` `：` (EF BC 8C / 9B / 9A).
        let len = match bytes[i] {
            b',' | b';' | b':' => 1,
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBC, 0x8C | 0x9B | 0x9A])) => 3,
            _ => 0,
        };
        if len == 0 {
            i += 1;
            continue;
        }
        out.push((base + start, &text[start..i]));
        i += len;
        start = i;
    }
    out.push((base + start, &text[start..]));
}

/// Bytes of leading separators and whitespace of a clause.
pub(super) fn leading_trim_len(seg: &str) -> usize {
    seg.len() - seg.trim_start_matches(is_clause_lead).len()
}

/// Characters a clause's leading trim removes: whitespace, bullets and `、`.
pub(super) fn is_clause_lead(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '*' | '•' | '·' | '、') || is_list_bullet(c)
}

/// Marks that open a list item rather than name anything: the dashes of a target list
/// (`——地区生产总值增长6%左右;`) and the typographic bullets of pasted pages.
pub(super) fn is_list_bullet(c: char) -> bool {
    matches!(
        c,
        '—' | '–'
            | '―'
            | '●'
            | '○'
            | '■'
            | '□'
            | '◆'
            | '◇'
            | '★'
            | '☆'
            | '▲'
            | '△'
            | '►'
            | '▶'
    )
}

/// Where the clause holding byte `at` of `s` starts: just after the last of `separators`
/// before it, or 0.
pub(super) fn after_last_of(s: &str, at: usize, separators: &[char]) -> usize {
    s[..at]
        .rfind(separators)
        .map_or(0, |i| i + s[i..].chars().next().map_or(1, char::len_utf8))
}

pub(super) fn count_chars(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// Whether a target cue cites the target of the year reviewed (`年初计划`, `年初预期目标`,
/// `年度目标增长6.5%,全年完成…`) rather than setting one.
pub(super) fn is_cited_target(cue: &str) -> bool {
    cue.starts_with("年初") || cue == "年度目标" || cue == "计划确定"
}
