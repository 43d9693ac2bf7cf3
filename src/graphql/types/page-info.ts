import { Field, ObjectType } from "type-graphql";

/** Forward pagination of every connection: pass `endCursor` as `after` while `hasNextPage`. */
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}
