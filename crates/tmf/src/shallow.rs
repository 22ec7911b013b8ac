//! The top-level fields of a wire object as JSON, leaving out the ones a caller names without
//! serialising them. [`crate::extensions`] keeps what a create body carried beyond the domain;
//! serialising the whole body (items inside items, characteristics...) to find the few fields it
//! keeps cost a create as much as parsing it.

use serde::ser::{self, Impossible, Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::{Error, Map, Value};

/// The object's fields, in serialisation order, but those `skip` names. Anything but an object
/// (a map or a struct, flattened fields included) is an error.
pub(crate) fn fields_except<T: Serialize + ?Sized>(
    value: &T,
    skip: &dyn Fn(&str) -> bool,
) -> Result<Map<String, Value>, Error> {
    value.serialize(Fields { skip })
}

struct Fields<'s> {
    skip: &'s dyn Fn(&str) -> bool,
}

/// Collects the fields of one object.
struct Collect<'s> {
    skip: &'s dyn Fn(&str) -> bool,
    map: Map<String, Value>,
    /// The key of the entry whose value comes next (`None`: skipped).
    next: Option<Option<String>>,
}

impl Collect<'_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        if !(self.skip)(key) {
            self.map
                .insert(key.to_owned(), serde_json::to_value(value)?);
        }
        Ok(())
    }
}

fn not_an_object<T>() -> Result<T, Error> {
    Err(ser::Error::custom("not a JSON object"))
}

impl SerializeMap for Collect<'_> {
    type Ok = Map<String, Value>;
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let Value::String(key) = serde_json::to_value(key)? else {
            return Err(ser::Error::custom("a key that is not a string"));
        };
        self.next = Some((!(self.skip)(&key)).then_some(key));
        Ok(())
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        match self.next.take() {
            Some(Some(key)) => {
                self.map.insert(key, serde_json::to_value(value)?);
                Ok(())
            }
            Some(None) => Ok(()),
            None => Err(ser::Error::custom("a value without its key")),
        }
    }

    fn end(self) -> Result<Self::Ok, Error> {
        Ok(self.map)
    }
}

impl SerializeStruct for Collect<'_> {
    type Ok = Map<String, Value>;
    type Error = Error;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(key, value)
    }

    fn end(self) -> Result<Self::Ok, Error> {
        Ok(self.map)
    }
}

impl<'s> Serializer for Fields<'s> {
    type Ok = Map<String, Value>;
    type Error = Error;
    type SerializeSeq = Impossible<Self::Ok, Error>;
    type SerializeTuple = Impossible<Self::Ok, Error>;
    type SerializeTupleStruct = Impossible<Self::Ok, Error>;
    type SerializeTupleVariant = Impossible<Self::Ok, Error>;
    type SerializeMap = Collect<'s>;
    type SerializeStruct = Collect<'s>;
    type SerializeStructVariant = Impossible<Self::Ok, Error>;

    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Ok(Collect {
            skip: self.skip,
            map: Map::new(),
            next: None,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        self.serialize_map(Some(len))
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Self::Ok, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Self::Ok, Error> {
        value.serialize(self)
    }

    fn serialize_bool(self, _v: bool) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_i8(self, _v: i8) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_i16(self, _v: i16) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_i32(self, _v: i32) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_i64(self, _v: i64) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_u8(self, _v: u8) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_u16(self, _v: u16) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_u32(self, _v: u32) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_u64(self, _v: u64) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_f32(self, _v: f32) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_f64(self, _v: f64) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_char(self, _v: char) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_str(self, _v: &str) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_none(self) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_unit(self) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
    ) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<Self::Ok, Error> {
        not_an_object()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        not_an_object()
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        not_an_object()
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        not_an_object()
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        not_an_object()
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        not_an_object()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Item {
        id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        nested: Vec<Item>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    }

    #[test]
    fn gives_what_to_value_gives_but_the_skipped_fields() {
        let mut extra = Map::new();
        extra.insert("x-ext".into(), json!({"a": [1, 2]}));
        let item = Item {
            id: "1".into(),
            note: Some("n".into()),
            nested: vec![Item {
                id: "2".into(),
                note: None,
                nested: vec![],
                extra: Map::new(),
            }],
            extra,
        };
        let skip_nested = |k: &str| k == "nested";
        let got = fields_except(&item, &skip_nested).unwrap();
        let Value::Object(mut all) = serde_json::to_value(&item).unwrap() else {
            panic!("an object")
        };
        all.remove("nested");
        assert_eq!(got, all);
        assert_eq!(
            fields_except(&item, &|_| false).unwrap(),
            serde_json::to_value(&item)
                .unwrap()
                .as_object()
                .unwrap()
                .clone()
        );
        assert!(fields_except(&item, &|_| true).unwrap().is_empty());
        assert!(fields_except(&vec![1], &|_| false).is_err());
        assert!(fields_except("text", &|_| false).is_err());
    }
}
