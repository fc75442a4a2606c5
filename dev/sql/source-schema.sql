-- Source tables of the company directory (the Django application that owns them),
-- as listed in shared/spec/data-model.md. FOR DEVELOPMENT, TESTS AND BENCHMARKS ONLY:
-- in production these tables belong to the owning application and this service never
-- changes their schema.
--
-- Only what the owning application has is declared here: serial primary keys, the unique
-- Companies House number, the case study -> company foreign key (ON DELETE CASCADE) and
-- its index. No extra index is added: the service must perform on the owner's schema.
--
-- Defaults mirror the Django model defaults that are safe at database level (booleans,
-- empty jsonb lists/objects). Django keeps '' for text columns as an application default,
-- not a database one, so text columns are NOT NULL without a default, as in production.
--
-- Idempotent: safe to run again on an existing schema.

CREATE TABLE IF NOT EXISTS company_company (
    id                                          serial       PRIMARY KEY,
    created                                     timestamptz  NULL,
    modified                                    timestamptz  NULL,
    name                                        text         NOT NULL,
    number                                      varchar(8)   NULL UNIQUE,
    company_type                                varchar(15)  NOT NULL,
    summary                                     varchar(250) NOT NULL,
    description                                 text         NOT NULL,
    employees                                   varchar(20)  NOT NULL,
    keywords                                    text         NOT NULL,
    website                                     varchar(255) NOT NULL,
    twitter_url                                 varchar(255) NOT NULL,
    facebook_url                                varchar(255) NOT NULL,
    linkedin_url                                varchar(255) NOT NULL,
    logo                                        varchar(100) NOT NULL,
    slug                                        varchar(50)  NOT NULL,
    date_of_creation                            date         NULL,
    sectors                                     jsonb        NOT NULL DEFAULT '[]'::jsonb,
    expertise_industries                        jsonb        NOT NULL DEFAULT '[]'::jsonb,
    expertise_regions                           jsonb        NOT NULL DEFAULT '[]'::jsonb,
    expertise_countries                         jsonb        NOT NULL DEFAULT '[]'::jsonb,
    expertise_languages                         jsonb        NOT NULL DEFAULT '[]'::jsonb,
    expertise_products_services                 jsonb        NOT NULL DEFAULT '{}'::jsonb,
    is_published_find_a_supplier                boolean      NOT NULL DEFAULT false,
    is_published_investment_support_directory   boolean      NOT NULL DEFAULT false,
    is_showcase_company                         boolean      NOT NULL DEFAULT false,
    -- PRIVATE contact details: must never reach the search index.
    email_address                               varchar(254) NOT NULL,
    mobile_number                               varchar(100) NOT NULL,
    postal_full_name                            varchar(255) NOT NULL,
    address_line_1                              varchar(255) NOT NULL,
    address_line_2                              varchar(255) NOT NULL,
    locality                                    varchar(255) NOT NULL,
    country                                     varchar(255) NOT NULL,
    postal_code                                 varchar(255) NOT NULL,
    po_box                                      varchar(255) NOT NULL,
    email_full_name                             varchar(200) NOT NULL,
    verification_code                           varchar(255) NOT NULL
);

CREATE TABLE IF NOT EXISTS company_companycasestudy (
    id                       serial        PRIMARY KEY,
    company_id               integer       NOT NULL
        CONSTRAINT company_companycasestudy_company_id_fk
        REFERENCES company_company (id) ON DELETE CASCADE,
    created                  timestamptz   NULL,
    modified                 timestamptz   NULL,
    title                    varchar(100)  NOT NULL,
    short_summary            varchar(200)  NOT NULL,
    description              varchar(1000) NOT NULL,
    sector                   varchar(100)  NOT NULL,
    website                  varchar(255)  NOT NULL,
    keywords                 text          NOT NULL,
    image_one                varchar(100)  NOT NULL,
    image_two                varchar(100)  NOT NULL,
    image_three              varchar(100)  NOT NULL,
    video_one                varchar(100)  NOT NULL,
    image_one_caption        varchar(200)  NOT NULL,
    image_two_caption        varchar(200)  NOT NULL,
    image_three_caption      varchar(200)  NOT NULL,
    testimonial              varchar(1000) NOT NULL,
    testimonial_name         varchar(255)  NOT NULL,
    testimonial_job_title    varchar(255)  NOT NULL,
    testimonial_company      varchar(255)  NOT NULL,
    slug                     varchar(50)   NOT NULL,
    is_published_case_study  boolean       NOT NULL DEFAULT true
);

CREATE INDEX IF NOT EXISTS company_companycasestudy_company_id_idx
    ON company_companycasestudy (company_id);
