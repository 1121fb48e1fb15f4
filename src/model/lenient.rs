//! Tolerant deserializers for GitHub's JSON.
//!
//! GitHub adds fields, sends `null` where its docs promise a string, and other exporters broke on
//! exactly that. Every field the reporter reads goes through one of these: a value of an
//! unexpected type reads as "absent" instead of failing the whole report, and nothing here
//! allocates beyond the value kept. Only JSON that is not JSON at all (truncated, say) is an
//! error, and that error comes from `serde_json` with its line and column.

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// Drains whatever compound value the visitor met, so the parser can go on after it.
macro_rules! skip_compound {
    ($value:ty) => {
        skip_map!($value);
        skip_seq!($value);
    };
}

/// Drains an object met where something else was expected: it reads as "absent".
macro_rules! skip_map {
    ($value:ty) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<$value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

/// Drains a list met where something else was expected: it reads as "absent".
macro_rules! skip_seq {
    ($value:ty) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<$value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    };
}

/// The scalars named (`str`, `u64`, `i64`, `f64`, `bool`) read as "absent".
macro_rules! absent_on {
    ($value:ty; $($kind:ident),+) => {
        $(absent_on!(@ $kind, $value);)+
    };
    (@ str, $value:ty) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<$value, E> {
            Ok(None)
        }
    };
    (@ u64, $value:ty) => {
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<$value, E> {
            Ok(None)
        }
    };
    (@ i64, $value:ty) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<$value, E> {
            Ok(None)
        }
    };
    (@ f64, $value:ty) => {
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<$value, E> {
            Ok(None)
        }
    };
    (@ bool, $value:ty) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<$value, E> {
            Ok(None)
        }
    };
}

/// `null`, and the `Option` wrapper some formats add, read as "absent".
macro_rules! absent_on_null {
    ($value:ty, $visitor:expr) => {
        fn visit_none<E: de::Error>(self) -> Result<$value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<$value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
            d.deserialize_any($visitor)
        }
    };
}

/// A string; numbers and booleans are kept as their text, anything else is absent.
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    text(d)
}

/// [`string`] kept inline when it is short (24 bytes): for the fields of steps, tens of thousands
/// in a big run, whose status, conclusion and (most) names then cost no allocation.
pub fn short_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CompactString>, D::Error> {
    text(d)
}

fn text<'de, D, S>(d: D) -> Result<Option<S>, D::Error>
where
    D: Deserializer<'de>,
    S: for<'a> From<&'a str> + From<String>,
{
    struct V<S>(PhantomData<S>);
    impl<'de, S: for<'a> From<&'a str> + From<String>> Visitor<'de> for V<S> {
        type Value = Option<S>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Some(v.into()))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string().into()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string().into()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string().into()))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v.to_string().into()))
        }
        absent_on_null!(Self::Value, V::<S>(PhantomData));
        skip_compound!(Self::Value);
    }
    d.deserialize_any(V::<S>(PhantomData))
}

/// A non-negative integer; a string of digits counts too (`"42"`), anything else is absent.
pub fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a non-negative integer")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(u64::try_from(v).ok())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            let whole = v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64;
            Ok(whole.then_some(v as u64))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(v.trim().parse().ok())
        }
        absent_on!(Self::Value; bool);
        absent_on_null!(Self::Value, V);
        skip_compound!(Self::Value);
    }
    d.deserialize_any(V)
}

/// A boolean; `"true"`/`"false"` strings count too, anything else is absent.
pub fn boolean<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(match v {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            })
        }
        absent_on!(Self::Value; u64, i64, f64);
        absent_on_null!(Self::Value, V);
        skip_compound!(Self::Value);
    }
    d.deserialize_any(V)
}

/// An ISO-8601 / RFC 3339 instant, any offset (`Z`, `-08:00`), with or without fractions,
/// converted to UTC. Anything unparseable is absent.
pub fn time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    // Inline: a time is 20 to 29 bytes, most of them fit in 24, and a big run has 50,000.
    Ok(short_string(d)?.as_deref().and_then(parse_time))
}

/// Parses one GitHub timestamp; `None` for anything that is not an RFC 3339 instant.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    plain_utc(text).or_else(|| {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    })
}

/// `2025-03-01T10:00:00Z`, the form GitHub sends almost always, read without chrono's general
/// parser (a big run has 50,000 of them); anything else (fractions, offsets, a leap second, a
/// lower-case `t`) is left to [`parse_time`]'s chrono.
fn plain_utc(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    let shape = b.len() == 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    if !shape {
        return None;
    }
    let num = |at: usize, len: usize| -> Option<u32> {
        b[at..at + len].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0, 4)? as i32, num(5, 2)?, num(8, 2)?)?;
    let time = chrono::NaiveTime::from_hms_opt(num(11, 2)?, num(14, 2)?, num(17, 2)?)?;
    Some(date.and_time(time).and_utc())
}

/// A nested object; if the value is not an object (a string where an object was expected, say),
/// it is absent. The object's own fields are expected to be lenient too.
pub fn object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Item::<T>::deserialize(d)?.0)
}

/// A list of objects; entries that are not objects are left out, a value that is not a list is
/// an empty list.
pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Option<Vec<T>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
            while let Some(item) = seq.next_element::<Item<T>>()? {
                out.extend(item.0);
            }
            // JSON says no length up front, so the list grew by doubling: 20 steps sit in room
            // for 32. The slack goes back (in place) before a thousand jobs hold it at once.
            out.shrink_to_fit();
            Ok(Some(out))
        }
        skip_map!(Self::Value);
        absent_on!(Self::Value; str, u64, i64, f64, bool);
        absent_on_null!(Self::Value, V::<T>(PhantomData));
    }
    Ok(d.deserialize_any(V::<T>(PhantomData))?.unwrap_or_default())
}

/// A list of objects read one by one ([`listed`]): the items read, and how many could not be.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// Entries left out because they are not valid JSON text (a lone surrogate escape such as
    /// `"\ud800"` in a name, which no string can hold): each is skipped alone.
    pub unreadable: u64,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed {
            items: Vec::new(),
            unreadable: 0,
        }
    }
}

impl<T> std::ops::Deref for Listed<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.items
    }
}

impl<T> IntoIterator for Listed<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// A list of objects like [`list`], each entry read on its own from its raw JSON: one that
/// cannot be read (a string that is not valid text, a lone surrogate escape) is skipped and
/// counted, and the others are read. For a listing of runs, where one run's bad name must not
/// lose the page (a page is 100 runs).
pub fn listed<'de, D, T>(d: D) -> Result<Listed<T>, D::Error>
where
    D: Deserializer<'de>,
    T: de::DeserializeOwned,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: de::DeserializeOwned> Visitor<'de> for V<T> {
        type Value = Option<Listed<T>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Listed {
                items: Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096)),
                unreadable: 0,
            };
            while let Some(raw) = seq.next_element::<Box<serde_json::value::RawValue>>()? {
                match serde_json::from_str::<Item<T>>(raw.get()) {
                    Ok(item) => out.items.extend(item.0),
                    Err(_) => out.unreadable += 1,
                }
            }
            Ok(Some(out))
        }
        skip_map!(Self::Value);
        absent_on!(Self::Value; str, u64, i64, f64, bool);
        absent_on_null!(Self::Value, V::<T>(PhantomData));
    }
    Ok(d.deserialize_any(V::<T>(PhantomData))?.unwrap_or_default())
}

/// A list of strings; entries that are not strings are left out.
pub fn strings<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct S(Option<String>);
    impl<'de> Deserialize<'de> for S {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            string(d).map(S)
        }
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<String>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(S(item)) = seq.next_element::<S>()? {
                out.extend(item);
            }
            Ok(Some(out))
        }
        skip_map!(Self::Value);
        absent_on!(Self::Value; str, u64, i64, f64, bool);
        absent_on_null!(Self::Value, V);
    }
    Ok(d.deserialize_any(V)?.unwrap_or_default())
}

/// An object of scalar values as `(key, text)` pairs in the order they appear (workflow_dispatch
/// `inputs`): strings as they are, numbers and booleans as their text, `null` as an empty string.
/// Nested objects and lists are left out; a value that is not an object is an empty list.
pub fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(String, String)>, D::Error> {
    /// A scalar as text; `None` for a compound value.
    struct Scalar(Option<String>);
    impl<'de> Deserialize<'de> for Scalar {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = Option<String>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a scalar")
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                    Ok(Some(v.to_owned()))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                    Ok(Some(v.to_string()))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                    Ok(Some(v.to_string()))
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                    Ok(Some(v.to_string()))
                }
                fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                    Ok(Some(v.to_string()))
                }
                fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(Some(String::new()))
                }
                fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                    Ok(Some(String::new()))
                }
                fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                    d.deserialize_any(V)
                }
                skip_compound!(Self::Value);
            }
            d.deserialize_any(V).map(Scalar)
        }
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Vec<(String, String)>>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some((k, Scalar(v))) = map.next_entry::<String, Scalar>()? {
                if let Some(v) = v {
                    out.push((k, v));
                }
            }
            Ok(Some(out))
        }
        skip_seq!(Self::Value);
        absent_on!(Self::Value; str, u64, i64, f64, bool);
        absent_on_null!(Self::Value, V);
    }
    Ok(d.deserialize_any(V)?.unwrap_or_default())
}

/// One object that may turn out not to be an object.
struct Item<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Item<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Option<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
            }
            skip_seq!(Self::Value);
            absent_on!(Self::Value; str, u64, i64, f64, bool);
            absent_on_null!(Self::Value, V::<T>(PhantomData));
        }
        d.deserialize_any(V::<T>(PhantomData)).map(Item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn plain_utc_times_read_as_chrono_reads_them() {
        let chrono = |t: &str| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        };
        let mut t = chrono("1999-12-31T23:59:59Z").unwrap();
        for _ in 0..5000 {
            let text = t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
            assert_eq!(plain_utc(&text), chrono(&text), "{text}");
            assert_eq!(parse_time(&text), chrono(&text), "{text}");
            t += chrono::Duration::seconds(86_400 * 3 + 3_661);
        }
        // Not the plain form: chrono decides, or it is not a time.
        for text in [
            "2024-12-22T09:11:55.500-08:00",
            "2024-12-22T17:11:31.123Z",
            "2024-12-22t17:11:31z",
            "2016-12-31T23:59:60Z",
            " 2024-12-22T17:11:31Z ",
        ] {
            assert_eq!(parse_time(text), chrono(text.trim()), "{text}");
        }
        for bad in [
            "2024-02-30T10:00:00Z",
            "2024-13-01T10:00:00Z",
            "2024-12-22T24:00:00Z",
            "2024-12-22T10:60:00Z",
            "2024-1a-22T10:00:00Z",
            "+024-12-22T10:00:00Z",
            "",
        ] {
            assert_eq!(plain_utc(bad), None, "{bad}");
            assert_eq!(parse_time(bad), chrono(bad), "{bad}");
        }
    }

    #[derive(Deserialize, Debug, Default, PartialEq)]
    struct Inner {
        #[serde(default, deserialize_with = "string")]
        login: Option<String>,
    }

    #[derive(Deserialize, Debug, Default)]
    struct Probe {
        #[serde(default, deserialize_with = "string")]
        s: Option<String>,
        #[serde(default, deserialize_with = "number")]
        n: Option<u64>,
        #[serde(default, deserialize_with = "boolean")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "time")]
        t: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "object")]
        o: Option<Inner>,
        #[serde(default, deserialize_with = "list")]
        l: Vec<Inner>,
        #[serde(default, deserialize_with = "strings")]
        ss: Vec<String>,
    }

    fn probe(json: &str) -> Probe {
        serde_json::from_str(json).expect(json)
    }

    #[test]
    fn right_types_are_read() {
        let p = probe(
            r#"{"s":"x","n":7,"b":true,"t":"2024-01-02T03:04:05Z","o":{"login":"me"},
                "l":[{"login":"a"},{"login":"b"}],"ss":["x","y"],"extra":{"deep":[1,2]}}"#,
        );
        assert_eq!(p.s.as_deref(), Some("x"));
        assert_eq!(p.n, Some(7));
        assert_eq!(p.b, Some(true));
        assert_eq!(p.t.unwrap().to_rfc3339(), "2024-01-02T03:04:05+00:00");
        assert_eq!(p.o.unwrap().login.as_deref(), Some("me"));
        assert_eq!(p.l.len(), 2);
        assert_eq!(p.ss, ["x", "y"]);
    }

    #[test]
    fn wrong_types_read_as_absent_and_the_rest_still_parses() {
        let p = probe(
            r#"{"s":{"a":[1]},"n":"nope","b":3,"t":"yesterday","o":"octocat",
                "l":[1,"x",{"login":"ok"},null,[2]],"ss":[1,null,"z",{}]}"#,
        );
        assert_eq!(p.s, None);
        assert_eq!(p.n, None);
        assert_eq!(p.b, None);
        assert_eq!(p.t, None);
        assert_eq!(p.o, None);
        assert_eq!(
            p.l,
            vec![Inner {
                login: Some("ok".into())
            }]
        );
        assert_eq!(p.ss, ["1", "z"]);
        let p = probe(r#"{"s":null,"n":-1,"l":{"a":1},"ss":"x","o":[]}"#);
        assert_eq!(
            (p.s, p.n, p.l.len(), p.ss.len(), p.o),
            (None, None, 0, 0, None)
        );
    }

    #[test]
    fn numbers_in_strings_and_strings_from_numbers() {
        let p = probe(r#"{"s":42,"n":"42","b":"false"}"#);
        assert_eq!(p.s.as_deref(), Some("42"));
        assert_eq!(p.n, Some(42));
        assert_eq!(p.b, Some(false));
    }

    #[test]
    fn one_entry_that_is_not_valid_text_is_skipped_alone_and_counted() {
        #[derive(Deserialize)]
        struct Page {
            #[serde(default, deserialize_with = "listed")]
            l: Listed<Inner>,
        }
        let json = r#"{"l":[{"login":"a"},{"login":"\ud800 lone"},{"login":"\ud83d\ude00"},"x",{"login":"b"}]}"#;
        assert!(
            serde_json::from_str::<Probe>(json).is_err(),
            "a plain list fails whole"
        );
        let page: Page = serde_json::from_str(json).unwrap();
        let logins: Vec<&str> = page.l.iter().filter_map(|i| i.login.as_deref()).collect();
        assert_eq!(logins, ["a", "😀", "b"], "a pair is text; the rest read");
        assert_eq!(page.l.unreadable, 1);
        let page: Page = serde_json::from_str(r#"{"l":null}"#).unwrap();
        assert!(page.l.is_empty() && page.l.unreadable == 0);
    }

    #[test]
    fn string_maps_keep_order_and_stringify_scalars() {
        #[derive(Deserialize)]
        struct M {
            #[serde(default, deserialize_with = "string_map")]
            m: Vec<(String, String)>,
        }
        let m: M = serde_json::from_str(
            r#"{"m":{"z":"1","a":true,"n":3,"x":null,"deep":{"k":1},"list":[1]}}"#,
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = m.m.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("z", "1"), ("a", "true"), ("n", "3"), ("x", "")]);
        for bad in [r#"{"m":"x"}"#, r#"{"m":[1]}"#, r#"{"m":null}"#, "{}"] {
            let m: M = serde_json::from_str(bad).unwrap();
            assert!(m.m.is_empty(), "{bad}");
        }
    }

    #[test]
    fn offsets_and_fractions_become_utc() {
        let t = parse_time("2019-10-06T00:48:06.000-08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-10-06T08:48:06+00:00");
        let t = parse_time("2020-01-20T09:42:40.123Z").unwrap();
        assert_eq!(t.timestamp_millis(), 1_579_513_360_123);
        assert_eq!(parse_time(""), None);
        assert_eq!(parse_time("2020-01-20"), None);
    }
}
