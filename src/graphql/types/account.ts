import { Field, ObjectType } from "type-graphql";
import { DateTime, UUID } from "../scalars.js";

@ObjectType("ApiToken", { simpleResolvers: true, description: "An API token for scripts and apps; the secret itself is shown only once, when created." })
export class ApiTokenType {
  @Field(() => UUID)
  id!: string;

  @Field(() => UUID, { description: "The user the token acts as." })
  userId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "The secret's first characters (tt_XXXXXX), to tell tokens apart." })
  prefix!: string;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime, { nullable: true, description: "To the minute." })
  lastUsedAt!: Date | null;

  @Field(() => DateTime, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType({ simpleResolvers: true })
export class CreatedApiToken {
  @Field(() => String, { description: "The secret: shown this once, store it now. Send it as Authorization: Bearer <token>." })
  token!: string;

  @Field(() => ApiTokenType)
  apiToken!: ApiTokenType;
}

@ObjectType("Session", { simpleResolvers: true, description: "A signed-in browser." })
export class SessionType {
  @Field(() => UUID)
  id!: string;

  @Field(() => String, { description: "The cookie secret's first characters (ts_XXXXXX)." })
  prefix!: string;

  @Field(() => String, { nullable: true, description: "The browser's User-Agent at sign-in." })
  userAgent!: string | null;

  @Field(() => DateTime)
  createdAt!: Date;

  @Field(() => DateTime, { description: "To the minute." })
  lastUsedAt!: Date;

  @Field(() => DateTime, { description: "Moves ahead with use, up to 30 days after sign-in." })
  expiresAt!: Date;

  @Field(() => Boolean, { description: "The session this request came with." })
  current!: boolean;
}
