//! The provider's RSA signing keys and the JWKS built from them.
//!
//! Key rotation is the part of the protocol that breaks consumers most often (a cached JWKS
//! that does not know the new `kid`), so the ring models it explicitly: one key signs, and
//! the JWKS publishes every key that has signed so far, so tokens minted before a rotation
//! keep verifying while new ones carry a `kid` the consumer has not seen yet.

use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;
use std::io;

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    /// Built from the published JWK, so the provider verifies exactly what consumers see.
    decoding: DecodingKey,
    jwk: Jwk,
}

pub(crate) struct KeyRing {
    keys: Vec<SigningKey>,
    active: usize,
    /// `keys[..published]` are in the JWKS: every key used so far, the active one included.
    published: usize,
}

impl KeyRing {
    /// Loads PKCS#8 PEM keys. The `kid` is the key's RFC 7638 thumbprint, so the same key
    /// gets the same `kid` across restarts and a consumer's JWKS cache stays meaningful.
    pub(crate) fn new(pems: &[Vec<u8>]) -> io::Result<Self> {
        if pems.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the reference provider needs at least one RSA key",
            ));
        }
        let keys = pems
            .iter()
            .enumerate()
            .map(|(i, pem)| load(pem).map_err(|e| invalid(format!("key #{i}: {e}"))))
            .collect::<io::Result<Vec<_>>>()?;
        Ok(Self {
            keys,
            active: 0,
            published: 1,
        })
    }

    /// Signs with the next key from now on (wrapping around after the last one).
    pub(crate) fn rotate(&mut self) {
        self.active = (self.active + 1) % self.keys.len();
        self.published = self.published.max(self.active + 1);
    }

    pub(crate) fn active_kid(&self) -> &str {
        &self.keys[self.active].kid
    }

    pub(crate) fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.keys[..self.published]
                .iter()
                .map(|k| k.jwk.clone())
                .collect(),
        }
    }

    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> String {
        let key = &self.keys[self.active];
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(key.kid.clone());
        jsonwebtoken::encode(&header, claims, &key.encoding)
            .expect("signing with a key that loaded cannot fail")
    }

    /// The verification key for `kid`, only if that key is published: a token signed with
    /// a key the provider has not announced yet would not verify for consumers either.
    pub(crate) fn decoding_key(&self, kid: &str) -> Option<&DecodingKey> {
        self.keys[..self.published]
            .iter()
            .find(|k| k.kid == kid)
            .map(|k| &k.decoding)
    }
}

fn load(pem: &[u8]) -> Result<SigningKey, String> {
    let encoding =
        EncodingKey::from_rsa_pem(pem).map_err(|e| format!("not an RSA PEM key: {e}"))?;
    let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)
        .map_err(|e| format!("cannot derive the public key: {e}"))?;
    let kid = jwk
        .thumbprint(ThumbprintHash::SHA256)
        .map_err(|e| format!("cannot compute the key id: {e}"))?;
    jwk.common.key_id = Some(kid.clone());
    jwk.common.public_key_use = Some(PublicKeyUse::Signature);
    let decoding = DecodingKey::from_jwk(&jwk).map_err(|e| format!("unusable public key: {e}"))?;
    Ok(SigningKey {
        kid,
        encoding,
        decoding,
        jwk,
    })
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}
