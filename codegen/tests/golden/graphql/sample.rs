/// An RFC 3339 timestamp.
#[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
pub struct Time(pub ::serde_json::Value);
/// An RFC 3339 timestamp.
#[::async_graphql::Scalar(name = "Time")]
impl ::async_graphql::ScalarType for Time {
    fn parse(value: ::async_graphql::Value) -> ::async_graphql::InputValueResult<Self> {
        value.into_json().map(Self).map_err(::async_graphql::InputValueError::custom)
    }
    fn to_value(&self) -> ::async_graphql::Value {
        ::async_graphql::Value::from_json(::std::clone::Clone::clone(&self.0))
            .unwrap_or(::async_graphql::Value::Null)
    }
}
#[derive(::std::clone::Clone, ::std::fmt::Debug, ::std::cmp::PartialEq)]
pub struct Json(pub ::serde_json::Value);
#[::async_graphql::Scalar(
    name = "Json",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc8259"
)]
impl ::async_graphql::ScalarType for Json {
    fn parse(value: ::async_graphql::Value) -> ::async_graphql::InputValueResult<Self> {
        value.into_json().map(Self).map_err(::async_graphql::InputValueError::custom)
    }
    fn to_value(&self) -> ::async_graphql::Value {
        ::async_graphql::Value::from_json(::std::clone::Clone::clone(&self.0))
            .unwrap_or(::async_graphql::Value::Null)
    }
}
/// How loud a note is.
#[derive(
    ::async_graphql::Enum,
    ::std::clone::Clone,
    ::std::marker::Copy,
    ::std::fmt::Debug,
    ::std::cmp::PartialEq,
    ::std::cmp::Eq,
    ::std::hash::Hash
)]
#[graphql(name = "Level")]
pub enum Level {
    /// Barely audible.
    #[graphql(name = "LOW")]
    Low,
    #[graphql(name = "HIGH")]
    High,
    #[graphql(name = "VERY_HIGH", deprecation = "Use `HIGH`.")]
    VeryHigh,
}
/// A note somebody wrote.
#[derive(
    ::async_graphql::SimpleObject,
    ::std::clone::Clone,
    ::std::fmt::Debug,
    ::std::cmp::PartialEq
)]
#[graphql(name = "Note")]
pub struct Note {
    /// Stable identifier.
    #[graphql(name = "id")]
    pub id: ::async_graphql::ID,
    #[graphql(name = "authorID")]
    pub author_id: ::std::string::String,
    #[graphql(name = "level")]
    pub level: Level,
    #[graphql(name = "score")]
    pub score: ::std::option::Option<f64>,
    #[graphql(name = "tags")]
    pub tags: ::std::vec::Vec<::std::string::String>,
    #[graphql(name = "createdAt")]
    pub created_at: Time,
    #[graphql(name = "extra")]
    pub extra: ::std::option::Option<Json>,
    #[graphql(name = "replyTo")]
    pub reply_to: ::std::option::Option<::std::boxed::Box<Note>>,
    #[graphql(name = "type", deprecation)]
    pub r#type: ::std::option::Option<::std::string::String>,
}
/// Selects notes.
#[derive(
    ::async_graphql::InputObject,
    ::std::clone::Clone,
    ::std::fmt::Debug,
    ::std::cmp::PartialEq
)]
#[graphql(name = "NoteFilter")]
pub struct NoteFilter {
    #[graphql(name = "page", default_with = "::std::option::Option::Some(0)")]
    pub page: ::std::option::Option<i32>,
    #[graphql(name = "pageSize", default_with = "::std::option::Option::Some(25)")]
    pub page_size: ::std::option::Option<i32>,
    /// `asc` or `desc`.
    #[graphql(
        name = "order",
        default_with = "::std::option::Option::Some(::std::string::String::from(\"desc\"))"
    )]
    pub order: ::std::option::Option<::std::string::String>,
    #[graphql(
        name = "levels",
        default_with = "::std::option::Option::Some(::std::vec![Level::Low, Level::High])"
    )]
    pub levels: ::std::option::Option<::std::vec::Vec<Level>>,
    #[graphql(name = "minScore", default_with = "::std::option::Option::Some(0.5)")]
    pub min_score: ::std::option::Option<f64>,
    #[graphql(name = "withTags", default_with = "false")]
    pub with_tags: bool,
    #[graphql(name = "since")]
    pub since: ::std::option::Option<Time>,
    #[graphql(name = "and")]
    pub and: ::std::option::Option<::std::boxed::Box<NoteFilter>>,
}
#[derive(
    ::async_graphql::InputObject,
    ::std::clone::Clone,
    ::std::fmt::Debug,
    ::std::cmp::PartialEq
)]
#[graphql(name = "NewNote")]
pub struct NewNote {
    #[graphql(name = "level", default_with = "Level::Low")]
    pub level: Level,
    #[graphql(name = "tags")]
    pub tags: ::std::vec::Vec<::std::string::String>,
}
/// Resolvers of the GraphQL query root type `Query`: one method per field. Each receives the request context explicitly.
pub trait QueryResolvers: ::std::marker::Send + ::std::marker::Sync + 'static {
    /// One note by ID.
    fn note(
        &self,
        ctx: &crate::auth::RequestContext,
        id: ::async_graphql::ID,
    ) -> impl ::std::future::Future<
        Output = ::async_graphql::Result<::std::option::Option<Note>>,
    > + ::std::marker::Send;
    /// A page of notes.
    fn notes(
        &self,
        ctx: &crate::auth::RequestContext,
        filter: ::std::option::Option<NoteFilter>,
        limit: i32,
    ) -> impl ::std::future::Future<
        Output = ::async_graphql::Result<::std::vec::Vec<Note>>,
    > + ::std::marker::Send;
}
/// The GraphQL query root type `Query`: forwards each field to a [`QueryResolvers`] implementation, with the request context taken from the context data.
pub struct QueryRoot<H>(pub ::std::sync::Arc<H>);
#[::async_graphql::Object(name = "Query")]
impl<H: QueryResolvers> QueryRoot<H> {
    /// One note by ID.
    #[graphql(name = "note")]
    async fn note(
        &self,
        ctx: &::async_graphql::Context<'_>,
        #[graphql(name = "id")]
        id: ::async_graphql::ID,
    ) -> ::async_graphql::Result<::std::option::Option<Note>> {
        self.0.note(ctx.data::<crate::auth::RequestContext>()?, id).await
    }
    /// A page of notes.
    #[graphql(name = "notes")]
    async fn notes(
        &self,
        ctx: &::async_graphql::Context<'_>,
        #[graphql(
            name = "filter",
            desc = "What to select.",
            default_with = "::std::option::Option::Some(NoteFilter { page: ::std::option::Option::Some(1), page_size: ::std::option::Option::Some(25), order: ::std::option::Option::Some(::std::string::String::from(\"desc\")), levels: ::std::option::Option::Some(::std::vec![Level::High]), min_score: ::std::option::Option::Some(0.5), with_tags: false, since: ::std::option::Option::None, and: ::std::option::Option::None })"
        )]
        filter: ::std::option::Option<NoteFilter>,
        #[graphql(name = "limit", default_with = "10")]
        limit: i32,
    ) -> ::async_graphql::Result<::std::vec::Vec<Note>> {
        self.0.notes(ctx.data::<crate::auth::RequestContext>()?, filter, limit).await
    }
}
/// Resolvers of the GraphQL mutation root type `Mutation`: one method per field. Each receives the request context explicitly.
pub trait MutationResolvers: ::std::marker::Send + ::std::marker::Sync + 'static {
    /// Creates a note.
    fn add_note(
        &self,
        ctx: &crate::auth::RequestContext,
        input: NewNote,
    ) -> impl ::std::future::Future<
        Output = ::async_graphql::Result<Note>,
    > + ::std::marker::Send;
    fn delete_note(
        &self,
        ctx: &crate::auth::RequestContext,
        id: ::async_graphql::ID,
    ) -> impl ::std::future::Future<
        Output = ::async_graphql::Result<bool>,
    > + ::std::marker::Send;
}
/// The GraphQL mutation root type `Mutation`: forwards each field to a [`MutationResolvers`] implementation, with the request context taken from the context data.
pub struct MutationRoot<H>(pub ::std::sync::Arc<H>);
#[::async_graphql::Object(name = "Mutation")]
impl<H: MutationResolvers> MutationRoot<H> {
    /// Creates a note.
    #[graphql(name = "addNote")]
    async fn add_note(
        &self,
        ctx: &::async_graphql::Context<'_>,
        #[graphql(name = "input")]
        input: NewNote,
    ) -> ::async_graphql::Result<Note> {
        self.0.add_note(ctx.data::<crate::auth::RequestContext>()?, input).await
    }
    #[graphql(name = "deleteNote")]
    async fn delete_note(
        &self,
        ctx: &::async_graphql::Context<'_>,
        #[graphql(name = "id")]
        id: ::async_graphql::ID,
    ) -> ::async_graphql::Result<bool> {
        self.0.delete_note(ctx.data::<crate::auth::RequestContext>()?, id).await
    }
}
/// Resolvers of the GraphQL subscription root type `Subscription`: one method per field. Each receives the request context explicitly.
pub trait SubscriptionResolvers: ::std::marker::Send + ::std::marker::Sync + 'static {
    /// Notes as they are written.
    fn note_added(
        &self,
        ctx: &crate::auth::RequestContext,
        min_level: ::std::option::Option<Level>,
    ) -> impl ::std::future::Future<
        Output = ::async_graphql::Result<
            ::futures::stream::BoxStream<'static, ::async_graphql::Result<Note>>,
        >,
    > + ::std::marker::Send;
}
/// The GraphQL subscription root type `Subscription`: forwards each field to a [`SubscriptionResolvers`] implementation, with the request context taken from the context data.
pub struct SubscriptionRoot<H>(pub ::std::sync::Arc<H>);
#[::async_graphql::Subscription(name = "Subscription")]
impl<H: SubscriptionResolvers> SubscriptionRoot<H> {
    /// Notes as they are written.
    #[graphql(name = "noteAdded")]
    async fn note_added(
        &self,
        ctx: &::async_graphql::Context<'_>,
        #[graphql(
            name = "minLevel",
            default_with = "::std::option::Option::Some(Level::Low)"
        )]
        min_level: ::std::option::Option<Level>,
    ) -> ::async_graphql::Result<
        ::futures::stream::BoxStream<'static, ::async_graphql::Result<Note>>,
    > {
        self.0.note_added(ctx.data::<crate::auth::RequestContext>()?, min_level).await
    }
}
/// A small contract exercising every construct the GraphQL emitter supports.
///
/// The schema served from the contract, over the resolvers of each root type.
pub type Schema<Q, M, S> = ::async_graphql::Schema<
    QueryRoot<Q>,
    MutationRoot<M>,
    SubscriptionRoot<S>,
>;
/// Starts building the schema with one handler for every root type. Every type of the
/// contract is registered, so `sdl()` prints those no root field reaches too.
pub fn schema_builder<H>(
    h: ::std::sync::Arc<H>,
) -> ::async_graphql::SchemaBuilder<QueryRoot<H>, MutationRoot<H>, SubscriptionRoot<H>>
where
    H: QueryResolvers + MutationResolvers + SubscriptionResolvers,
{
    ::async_graphql::Schema::build(
            QueryRoot(::std::clone::Clone::clone(&h)),
            MutationRoot(::std::clone::Clone::clone(&h)),
            SubscriptionRoot(::std::clone::Clone::clone(&h)),
        )
        .register_output_type::<Time>()
        .register_output_type::<Json>()
        .register_output_type::<Level>()
        .register_output_type::<Note>()
        .register_input_type::<NoteFilter>()
        .register_input_type::<NewNote>()
}
