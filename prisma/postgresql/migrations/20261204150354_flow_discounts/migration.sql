-- AlterTable
ALTER TABLE "FlowRun" ADD COLUMN     "discounts" JSONB;
