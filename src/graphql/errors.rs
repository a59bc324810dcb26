//! Every GraphQL error carries a code from the contract's table in `extensions.code`, on HTTP
//! and WebSocket alike. A resolver that returns an [`AppError`] with plain `?` (async-graphql
//! converts it through `Display`, keeping it as the error's source) gets the error's own code
//! and message back here; errors async-graphql raises itself (parse, validation, depth and
//! complexity limits) get "GraphQL request rejected".

use crate::error::AppError;
use crate::generated::rest::ErrorCode;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextRequest, NextSubscribe,
};
use async_graphql::{Response, ServerError};
use futures::StreamExt;
use futures::stream::BoxStream;
use std::sync::Arc;

pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn tag(errors: &mut [ServerError]) {
    for e in errors {
        let app = e.source::<AppError>().cloned();
        let ext = e.extensions.get_or_insert_with(Default::default);
        match app {
            Some(app) => {
                e.message = app.message.clone();
                ext.set("code", app.code.code());
            }
            None if ext.get("code").is_none() => {
                ext.set("code", ErrorCode::GraphQlRequestRejected.code())
            }
            None => {}
        }
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut resp = next.run(ctx).await;
        tag(&mut resp.errors);
        resp
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream)
            .map(|mut resp| {
                tag(&mut resp.errors);
                resp
            })
            .boxed()
    }
}
