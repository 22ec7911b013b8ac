//! v5 typed characteristics: `Characteristic` is polymorphic on `@type`
//! (`StringCharacteristic`, `NumberCharacteristic`, `BooleanCharacteristic`,
//! `ObjectCharacteristic`, the `...ArrayCharacteristic`s, `IntegerCharacteristic`,
//! `FloatCharacteristic`). A subtype this crate does not know — an extension, or the base
//! `Characteristic` itself — is kept verbatim in [`Characteristic::Other`].

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::common::Extra;

/// The fields every characteristic subtype has, with the subtype's `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypedCharacteristic<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub characteristic_relationship: Option<Vec<Value>>,
    #[serde(rename = "@baseType", skip_serializing_if = "Option::is_none")]
    pub base_type: Option<String>,
    #[serde(rename = "@schemaLocation", skip_serializing_if = "Option::is_none")]
    pub schema_location: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl<T> TypedCharacteristic<T> {
    pub fn new(name: impl Into<String>, value: T, value_type: &str) -> Self {
        Self {
            id: None,
            name: Some(name.into()),
            value_type: Some(value_type.to_owned()),
            value: Some(value),
            characteristic_relationship: None,
            base_type: None,
            schema_location: None,
            extra: Extra::new(),
        }
    }
}

/// A v5 characteristic, dispatched on `@type`.
#[derive(Debug, Clone, PartialEq)]
pub enum Characteristic {
    String(TypedCharacteristic<String>),
    StringArray(TypedCharacteristic<Vec<String>>),
    Number(TypedCharacteristic<Number>),
    NumberArray(TypedCharacteristic<Vec<Number>>),
    Integer(TypedCharacteristic<i64>),
    IntegerArray(TypedCharacteristic<Vec<i64>>),
    Float(TypedCharacteristic<Number>),
    FloatArray(TypedCharacteristic<Vec<Number>>),
    Boolean(TypedCharacteristic<bool>),
    BooleanArray(TypedCharacteristic<Vec<bool>>),
    Object(TypedCharacteristic<Map<String, Value>>),
    ObjectArray(TypedCharacteristic<Vec<Map<String, Value>>>),
    /// The base `Characteristic`, a missing `@type`, or a subtype this crate does not know: the
    /// object exactly as received (`@type` included).
    Other(Map<String, Value>),
}

macro_rules! dispatch {
    ($self:expr, $c:ident => $body:expr, $other:ident => $other_body:expr) => {
        match $self {
            Characteristic::String($c) => $body,
            Characteristic::StringArray($c) => $body,
            Characteristic::Number($c) => $body,
            Characteristic::NumberArray($c) => $body,
            Characteristic::Integer($c) => $body,
            Characteristic::IntegerArray($c) => $body,
            Characteristic::Float($c) => $body,
            Characteristic::FloatArray($c) => $body,
            Characteristic::Boolean($c) => $body,
            Characteristic::BooleanArray($c) => $body,
            Characteristic::Object($c) => $body,
            Characteristic::ObjectArray($c) => $body,
            Characteristic::Other($other) => $other_body,
        }
    };
}

impl Characteristic {
    /// The `@type` written on the wire.
    pub fn type_name(&self) -> Option<&str> {
        Some(match self {
            Self::String(_) => "StringCharacteristic",
            Self::StringArray(_) => "StringArrayCharacteristic",
            Self::Number(_) => "NumberCharacteristic",
            Self::NumberArray(_) => "NumberArrayCharacteristic",
            Self::Integer(_) => "IntegerCharacteristic",
            Self::IntegerArray(_) => "IntegerArrayCharacteristic",
            Self::Float(_) => "FloatCharacteristic",
            Self::FloatArray(_) => "FloatArrayCharacteristic",
            Self::Boolean(_) => "BooleanCharacteristic",
            Self::BooleanArray(_) => "BooleanArrayCharacteristic",
            Self::Object(_) => "ObjectCharacteristic",
            Self::ObjectArray(_) => "ObjectArrayCharacteristic",
            Self::Other(map) => return map.get("@type").and_then(Value::as_str),
        })
    }

    pub fn name(&self) -> Option<&str> {
        dispatch!(self, c => c.name.as_deref(), m => m.get("name").and_then(Value::as_str))
    }

    /// The value as plain JSON, whatever the subtype.
    pub fn value_json(&self) -> Option<Value> {
        dispatch!(
            self,
            c => c.value.as_ref().and_then(|v| serde_json::to_value(v).ok()),
            m => m.get("value").cloned()
        )
    }
}

fn typed<T: serde::de::DeserializeOwned>(
    map: Map<String, Value>,
    type_name: &str,
) -> Result<TypedCharacteristic<T>, String> {
    serde_json::from_value(Value::Object(map)).map_err(|e| format!("not a valid {type_name}: {e}"))
}

impl<'de> Deserialize<'de> for Characteristic {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(d)?;
        let type_name = match map.get("@type") {
            None => return Ok(Self::Other(map)),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "`@type` must be a string, not {other}"
                )))
            }
        };
        let known = [
            "StringCharacteristic",
            "StringArrayCharacteristic",
            "NumberCharacteristic",
            "NumberArrayCharacteristic",
            "IntegerCharacteristic",
            "IntegerArrayCharacteristic",
            "FloatCharacteristic",
            "FloatArrayCharacteristic",
            "BooleanCharacteristic",
            "BooleanArrayCharacteristic",
            "ObjectCharacteristic",
            "ObjectArrayCharacteristic",
        ];
        if !known.contains(&type_name.as_str()) {
            return Ok(Self::Other(map));
        }
        map.remove("@type");
        let t = type_name.as_str();
        Ok(match t {
            "StringCharacteristic" => Self::String(typed(map, t).map_err(D::Error::custom)?),
            "StringArrayCharacteristic" => {
                Self::StringArray(typed(map, t).map_err(D::Error::custom)?)
            }
            "NumberCharacteristic" => Self::Number(typed(map, t).map_err(D::Error::custom)?),
            "NumberArrayCharacteristic" => {
                Self::NumberArray(typed(map, t).map_err(D::Error::custom)?)
            }
            "IntegerCharacteristic" => Self::Integer(typed(map, t).map_err(D::Error::custom)?),
            "IntegerArrayCharacteristic" => {
                Self::IntegerArray(typed(map, t).map_err(D::Error::custom)?)
            }
            "FloatCharacteristic" => Self::Float(typed(map, t).map_err(D::Error::custom)?),
            "FloatArrayCharacteristic" => {
                Self::FloatArray(typed(map, t).map_err(D::Error::custom)?)
            }
            "BooleanCharacteristic" => Self::Boolean(typed(map, t).map_err(D::Error::custom)?),
            "BooleanArrayCharacteristic" => {
                Self::BooleanArray(typed(map, t).map_err(D::Error::custom)?)
            }
            "ObjectCharacteristic" => Self::Object(typed(map, t).map_err(D::Error::custom)?),
            _ => Self::ObjectArray(typed(map, t).map_err(D::Error::custom)?),
        })
    }
}

impl Serialize for Characteristic {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let type_name = self.type_name().map(str::to_owned);
        let value = dispatch!(
            self,
            c => serde_json::to_value(c).map_err(S::Error::custom)?,
            m => return m.serialize(s)
        );
        let Value::Object(mut map) = value else {
            return Err(S::Error::custom("a characteristic serialises to an object"));
        };
        if let Some(t) = type_name {
            map.insert("@type".to_owned(), Value::String(t));
        }
        map.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dispatches_on_type_and_keeps_unknown_subtypes() {
        let cases = [
            json!({"@type": "StringCharacteristic", "name": "a", "value": "x", "valueType": "string"}),
            json!({"@type": "NumberCharacteristic", "name": "a", "value": 1.5}),
            json!({"@type": "IntegerArrayCharacteristic", "name": "a", "value": [1, 2]}),
            json!({"@type": "ObjectCharacteristic", "name": "a", "value": {"k": [true]}, "ext": 1}),
            json!({"@type": "GeoCharacteristic", "name": "a", "value": {"lat": 1}}),
            json!({"name": "untyped", "value": 3}),
        ];
        for v in cases {
            let c: Characteristic = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&c).unwrap(), v);
        }
        let c: Characteristic =
            serde_json::from_value(json!({"@type": "GeoCharacteristic", "value": 1})).unwrap();
        assert!(matches!(c, Characteristic::Other(_)));
        assert_eq!(c.type_name(), Some("GeoCharacteristic"));
    }

    #[test]
    fn a_value_of_the_wrong_type_is_an_error_not_a_panic() {
        for v in [
            json!({"@type": "NumberCharacteristic", "value": "ten"}),
            json!({"@type": "BooleanArrayCharacteristic", "value": [1]}),
            json!({"@type": 7}),
            json!("not an object"),
        ] {
            assert!(serde_json::from_value::<Characteristic>(v).is_err());
        }
    }
}
